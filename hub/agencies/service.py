"""Registering partner agencies."""

from sqlalchemy.orm import Session

from hub.agencies import repository
from hub.agencies.models import Agency
from hub.agencies.regions import RIEC_REGIONS
from hub.agencies.schemas import AgencyCreate


class AgencyExists(ValueError):
    pass


def add_agency(session: Session, data: AgencyCreate) -> Agency:
    """Register an agency; its region, when given, must be one of the RIEC regions."""
    if data.region is not None and data.region not in RIEC_REGIONS:
        raise ValueError(
            f"unknown region {data.region!r}; expected one of {', '.join(RIEC_REGIONS)}"
        )
    if repository.by_code(session, data.code) is not None:
        raise AgencyExists(f"agency {data.code} already exists")
    agency = Agency(code=data.code, name=data.name, kind=data.kind, region=data.region)
    session.add(agency)
    session.flush()
    return agency


def ensure_agency(session: Session, data: AgencyCreate) -> Agency:
    """The agency with this code, registered first if it is new (idempotent seeding)."""
    return repository.by_code(session, data.code) or add_agency(session, data)
