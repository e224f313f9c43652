"""The UI's own routes: its home, the login form, and signing out."""

import logging
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session, sessionmaker

from hub.config import Settings
from hub.db import now, transaction
from hub.kit.i18n import N_
from hub.kit.i18n import gettext as _
from hub.ui import accounts
from hub.ui.csrf import clear_login_cookie, login_token, set_login_cookie
from hub.ui.sessions import (
    COOKIE,
    HOME,
    LOGIN_PATH,
    clear_session_cookie,
    end_session,
    safe_next,
    set_session_cookie,
    signed_in,
    start_session,
)
from hub.ui.templating import templates

log = logging.getLogger(__name__)
router = APIRouter()

# One message for every failure: it must not tell an unknown name from a wrong password, a
# disabled account or a locked one.
SIGN_IN_FAILED = N_(
    "Sign-in failed: the username or password is not right, or the account cannot sign in "
    "now. After {attempts} failed attempts in a row an account is locked for {minutes} minutes."
)


@router.get("/")
async def home(request: Request) -> RedirectResponse:
    """The UI's home is the review queue; the contact point's is its requests."""
    analyst = await signed_in(request)
    target = "/ui/subject-requests" if analyst and analyst.role == "dpo" else "/ui/proposals"
    return RedirectResponse(target, status_code=303)


@router.get("/toegankelijkheid")
async def accessibility_statement(request: Request) -> Response:
    """The accessibility statement (Besluit digitale toegankelijkheid overheid), open to all."""
    analyst = await signed_in(request)  # the frame shows who is signed in, when someone is
    # Anyone may read it in the other language: without a session, the switch posts with the
    # sign-in form's token, as it does on the sign-in page.
    token = None if analyst else login_token(request)
    response = templates.TemplateResponse(request, "accessibility.html", {})
    if token:
        set_login_cookie(response, token, request.app.state.settings)
    return response


@router.get("/login")
async def login_page(request: Request, next: str | None = None) -> Response:
    """The login form (and the single sign-on button when one is configured)."""
    return login_form(request, next_url=safe_next(next))


def login_form(
    request: Request,
    *,
    next_url: str,
    error: str | None = None,
    username: str = "",
    status_code: int = 200,
) -> Response:
    settings: Settings = request.app.state.settings
    token = login_token(request)
    response = templates.TemplateResponse(
        request,
        "login.html",
        {
            "next": next_url,
            "error": error,
            "username": username,
            "oidc_name": _(settings.oidc_provider_name) if settings.oidc_metadata_url else None,
        },
        status_code=status_code,
    )
    set_login_cookie(response, token, settings)
    return response


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = HOME,
) -> Response:
    """Sign in with a local account; the browser gets a new session and goes where it was."""
    settings: Settings = request.app.state.settings
    token, reason = await run_in_threadpool(
        _sign_in, request.app.state.sessions, settings, username, password, request.cookies
    )
    ref = accounts.log_ref(request.app.state.ui_key, username)
    if token is None:
        log.warning("UI sign-in refused for user %s: %s", ref, reason)
        message = _(SIGN_IN_FAILED).format(
            attempts=settings.ui_lockout_attempts, minutes=settings.ui_lockout_minutes
        )
        return login_form(
            request, next_url=safe_next(next), error=message, username=username, status_code=400
        )
    log.info("UI sign-in by user %s", ref)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, token, settings)
    clear_login_cookie(response, settings)
    return response


def _sign_in(
    sessions: sessionmaker[Session],
    settings: Settings,
    username: str,
    password: str,
    cookies: dict[str, str],
) -> tuple[str | None, str | None]:
    policy = accounts.SignInPolicy(
        attempts=settings.ui_lockout_attempts,
        lockout=timedelta(minutes=settings.ui_lockout_minutes),
    )
    with transaction(sessions) as db:
        result = accounts.sign_in(db, username, password, now=now(), policy=policy)
        if result.user is None:
            return None, result.reason
        return start_session(
            db, result.user, settings=settings, replacing=cookies.get(COOKIE)
        ), None


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session on the server (the cookie alone no longer opens anything)."""
    token = request.cookies.get(COOKIE)
    if token:
        await run_in_threadpool(_end, request.app.state.sessions, token)
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    clear_session_cookie(response, request.app.state.settings)
    return response


def _end(sessions: sessionmaker[Session], token: str) -> None:
    with transaction(sessions) as db:
        end_session(db, token)
