"""Cross-site request forgery: every POST under /ui/ proves it came from a page of the hub.

Signed in, the proof is the session's synchronizer token; at the login form, before there is a
session, it is a random value in a login cookie that the form repeats (double submit); the
language switch on the login page proves itself the same way. Either
travels as the form field `csrf_token` or, from htmx, the `X-CSRF-Token` header. A POST whose
Origin names another site is refused before anything else.
"""

import hmac
import re
import secrets
from urllib.parse import urlsplit

from fastapi import Request, Response

from hub.config import Settings
from hub.errors import Forbidden
from hub.kit.i18n import gettext as _
from hub.ui.language import LOGIN_SWITCH_PATH
from hub.ui.sessions import HOME, LOGIN_PATH, SignInRequired, secure_cookies, signed_in

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
LOGIN_COOKIE = "hub_login_csrf"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def own_origin(settings: Settings) -> str:
    """The Origin a browser sends from the hub's pages (no default port, as browsers send it)."""
    parts = urlsplit(settings.issuer.lower())
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = "" if parts.port in (None, default) else f":{parts.port}"
    host = parts.hostname or ""
    return f"{parts.scheme}://{f'[{host}]' if ':' in host else host}{port}"


async def csrf_guard(request: Request) -> None:
    """Refuse an unsafe request without the right token or from a foreign origin (403).

    Installed on the whole UI app, so every route a page adds is covered without asking.
    """
    if request.method in _SAFE:
        return
    origin = request.headers.get("origin")
    if origin is not None and origin.lower() != own_origin(request.app.state.settings):
        raise Forbidden(_("This form was sent from another site; the hub refused it."))
    if request.url.path in (LOGIN_PATH, LOGIN_SWITCH_PATH):
        expected = request.cookies.get(LOGIN_COOKIE)
    else:
        analyst = await signed_in(request)
        if analyst is None:
            # Nothing can be done without a session anyway: sign in first, then try again.
            raise SignInRequired(HOME)
        expected = analyst.csrf_token
    given = request.headers.get(HEADER)
    if given is None and request.headers.get("content-type", "").startswith(_FORMS):
        value = (await request.form()).get(FIELD)
        given = value if isinstance(value, str) else None
    if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Forbidden(
            _(
                "This form is out of date or did not come from the hub. Reload the page and try "
                "again."
            )
        )


def login_token(request: Request) -> str:
    """The login form's token: the one in the browser's login cookie, or a new one."""
    token = request.cookies.get(LOGIN_COOKIE)
    if not token or not _TOKEN.fullmatch(token):
        token = secrets.token_urlsafe(32)
    request.state.csrf_token = token
    return token


def set_login_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        path=LOGIN_PATH,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(settings),
    )


def clear_login_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        LOGIN_COOKIE,
        path=LOGIN_PATH,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(settings),
    )
