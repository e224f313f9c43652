"""Queries on UI accounts and sessions."""

from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from hub.agencies.models import Agency
from hub.ui.models import UISession, UIUser


def user_by_username(session: Session, username: str, *, lock: bool = False) -> UIUser | None:
    """The account named `username`; `lock` holds its row so concurrent failures all count."""
    query = select(UIUser).where(UIUser.username == username)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def user_by_external_id(session: Session, external_id: str) -> UIUser | None:
    return session.scalars(
        select(UIUser).where(UIUser.external_id == external_id).with_for_update()
    ).one_or_none()


def display_names(session: Session, usernames: set[str], *, agency_id: int) -> dict[str, str]:
    """Username -> the name colleagues read, for the accounts of one agency among `usernames`."""
    if not usernames:
        return {}
    rows = session.execute(
        select(UIUser.username, UIUser.display_name).where(
            UIUser.username.in_(sorted(usernames)), UIUser.agency_id == agency_id
        )
    )
    return {username: shown or username for username, shown in rows}


def users_with_agency(session: Session) -> list[tuple[UIUser, Agency]]:
    query = select(UIUser, Agency).join(Agency, Agency.id == UIUser.agency_id)
    return [(u, a) for u, a in session.execute(query.order_by(UIUser.username))]


def session_by_token_hash(
    session: Session, token_hash: str
) -> tuple[UISession, UIUser, Agency] | None:
    """A session with its user and the user's agency, in one read."""
    row = session.execute(
        select(UISession, UIUser, Agency)
        .join(UIUser, UIUser.id == UISession.user_id)
        .join(Agency, Agency.id == UIUser.agency_id)
        .where(UISession.token_hash == token_hash)
    ).one_or_none()
    return None if row is None else (row[0], row[1], row[2])


def delete_session(session: Session, token_hash: str) -> None:
    session.execute(delete(UISession).where(UISession.token_hash == token_hash))


def delete_sessions_of(session: Session, user_id: int) -> None:
    session.execute(delete(UISession).where(UISession.user_id == user_id))


def delete_stale_sessions(session: Session, *, now: datetime, idle_since: datetime) -> None:
    """Remove sessions past their absolute end or idle since before `idle_since`."""
    session.execute(
        delete(UISession).where(or_(UISession.expires_at <= now, UISession.last_seen <= idle_since))
    )
