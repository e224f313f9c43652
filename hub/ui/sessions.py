"""Server-side UI sessions: the cookie, idle and absolute expiry, and the `current_user` dependency.

A page handler asks for the signed-in analyst with `AnalystDep` (or `Depends(current_user)`);
without a live session the browser is sent to the login page and comes back afterwards.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from hub.auth.caller import Caller
from hub.config import Settings
from hub.db import now, transaction
from hub.ui import repository
from hub.ui.models import UISession, UIUser
from hub.ui.roles import scopes_for

COOKIE = "hub_session"
COOKIE_PATH = "/ui"
LOGIN_PATH = "/ui/login"
HOME = "/ui/"
# last_seen is written at most this often: a page view is then a read, not a write, and the
# idle timeout is still kept to within a minute.
_TOUCH_EVERY = timedelta(seconds=60)

# An analyst acting through the UI is recorded as this client id plus the username.
UI_ACTOR = "ui:"


@dataclass(frozen=True)
class Analyst:
    """The person behind a live UI session, as the pages see them."""

    username: str
    agency_id: int
    agency_code: str
    agency_name: str
    role: str
    session_id: int
    csrf_token: str

    @property
    def scopes(self) -> frozenset[str]:
        return scopes_for(self.role)

    def caller(self) -> Caller:
        """The analyst as an API caller, so pages call the same services as the API."""
        return Caller(
            agency_id=self.agency_id,
            agency_code=self.agency_code,
            client_id=f"{UI_ACTOR}{self.username}",
            scopes=self.scopes,
            token_id=str(self.session_id),
        )


class SignInRequired(Exception):
    """No live session: the UI answers with a redirect to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def safe_next(candidate: str | None) -> str:
    """`candidate` if it is a path inside the UI, else the UI's home: never another site."""
    if not candidate or len(candidate) > 2000:
        return HOME
    # Browsers read a backslash as a slash, so "/\\evil.example" would leave the site.
    if "\\" in candidate or any(ord(c) < 0x20 or ord(c) == 0x7F for c in candidate):
        return HOME
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or not parts.path.startswith(HOME):
        return HOME
    if candidate.startswith("//") or "/../" in parts.path or parts.path.endswith("/.."):
        return HOME
    return candidate


def login_url(next_url: str) -> str:
    return f"{LOGIN_PATH}?next={quote(safe_next(next_url), safe='/')}"


def start_session(db: Session, user: UIUser, *, settings: Settings, replacing: str | None) -> str:
    """Open a session for `user` and return its token; the session in `replacing` ends.

    A fresh token at every sign-in: a token planted in the browser beforehand (session
    fixation) is dropped, never promoted.
    """
    moment = now()
    if replacing:
        repository.delete_session(db, token_hash(replacing))
    repository.delete_stale_sessions(db, now=moment, idle_since=moment - _idle(settings))
    token = secrets.token_urlsafe(32)
    db.add(
        UISession(
            token_hash=token_hash(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=moment,
            last_seen=moment,
            expires_at=moment + timedelta(hours=settings.ui_session_hours),
        )
    )
    db.flush()
    return token


def end_session(db: Session, token: str) -> None:
    repository.delete_session(db, token_hash(token))


def load_analyst(db: Session, token: str, *, settings: Settings) -> Analyst | None:
    """The analyst of a live session; an expired one is deleted and gives None."""
    found = repository.session_by_token_hash(db, token_hash(token))
    if found is None:
        return None
    row, user, agency = found
    moment = now()
    if row.expires_at <= moment or row.last_seen + _idle(settings) <= moment or user.disabled:
        db.delete(row)
        return None
    if moment - row.last_seen >= _TOUCH_EVERY:
        row.last_seen = moment
    return Analyst(
        username=user.username,
        agency_id=user.agency_id,
        agency_code=agency.code,
        agency_name=agency.name,
        role=user.role,
        session_id=row.id,
        csrf_token=row.csrf_token,
    )


def _idle(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.ui_idle_minutes)


def secure_cookies(settings: Settings) -> bool:
    """Cookies are Secure when the hub's public address is https."""
    return settings.issuer.startswith("https://")


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    # No Max-Age: the cookie ends with the browser; the server enforces both timeouts.
    response.set_cookie(
        COOKIE,
        token,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(settings),
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict", secure=secure_cookies(settings)
    )


async def signed_in(request: Request) -> Analyst | None:
    """The analyst of this request's session, or None; read once per request."""
    if hasattr(request.state, "analyst"):
        return request.state.analyst
    token = request.cookies.get(COOKIE)
    analyst = None
    if token:
        sessions: sessionmaker[Session] = request.app.state.sessions
        analyst = await run_in_threadpool(_load, sessions, token, request.app.state.settings)
    request.state.analyst = analyst
    if analyst is not None:
        request.state.csrf_token = analyst.csrf_token
    return analyst


def _load(sessions: sessionmaker[Session], token: str, settings: Settings) -> Analyst | None:
    with transaction(sessions) as db:
        return load_analyst(db, token, settings=settings)


async def current_user(request: Request) -> Analyst:
    """The signed-in analyst; without one, a redirect to the login page (and back after)."""
    analyst = await signed_in(request)
    if analyst is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    return analyst


AnalystDep = Annotated[Analyst, Depends(current_user)]
