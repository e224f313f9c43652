"""HTTP routes of covenants: a partner reads the agreements it is party to."""

from fastapi import APIRouter
from sqlalchemy.orm import Session

from hub.agencies.directory import AgencyDirectory
from hub.auth.caller import Caller
from hub.covenants import policy
from hub.covenants.model import Covenant
from hub.covenants.schemas import CovenantList, CovenantOut, covenant_out
from hub.deps import AgenciesDep, AnyCaller, CovenantsDep, SessionDep
from hub.errors import NotFound
from hub.kit import clock

router = APIRouter(tags=["covenants"])


def _party_to(
    session: Session, caller: Caller, covenants: tuple[Covenant, ...], agencies: AgencyDirectory
) -> dict[str, Covenant]:
    # Only today's version of each: one that expired, was withdrawn, or whose newer version no
    # longer names the caller is not shown, just as it no longer grants.
    return policy.party_to(agencies.get(session, caller.agency_id), covenants, clock.today())


@router.get(
    "/covenants",
    summary="List the covenants you are party to",
    response_model=CovenantList,
    operation_id="listCovenants",
)
def list_covenants(
    session: SessionDep, caller: AnyCaller, covenants: CovenantsDep, agencies: AgenciesDep
) -> CovenantList:
    """The covenants in force today that your agency is party to, by id, with their rules.

    They say what you may see of other agencies' signals, for which purposes and for how long,
    and who may see yours.
    """
    return CovenantList(
        items=[covenant_out(c) for c in _party_to(session, caller, covenants, agencies).values()]
    )


@router.get(
    "/covenants/{id}",
    summary="Get a covenant you are party to",
    response_model=CovenantOut,
    operation_id="getCovenant",
)
def get_covenant(
    id: str, session: SessionDep, caller: AnyCaller, covenants: CovenantsDep, agencies: AgenciesDep
) -> CovenantOut:
    """One covenant in force today, with its rules.

    A covenant your agency is not party to does not exist for you: 404, never 403.
    """
    covenant = _party_to(session, caller, covenants, agencies).get(id)
    if covenant is None:
        raise NotFound(f"You are party to no covenant {id!r} in force today.")
    return covenant_out(covenant)
