"""Queries on agencies."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.agencies.models import Agency


def by_code(session: Session, code: str) -> Agency | None:
    return session.scalars(select(Agency).where(Agency.code == code)).one_or_none()


def all_agencies(session: Session) -> list[Agency]:
    return list(session.scalars(select(Agency).order_by(Agency.code)))
