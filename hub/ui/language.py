"""The UI's language per request: the analyst's choice (a cookie), else the browser's
Accept-Language (Dutch or English), else Dutch. The switch in the page header sets the choice.

The choice is a cookie rather than a column: it is a preference, no secret, and it must work
on the sign-in page, before there is a session.
"""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.errors import InvalidInput
from hub.kit.i18n import LANGUAGES, NAMES, negotiate, use_language
from hub.kit.i18n import gettext as _
from hub.ui.sessions import COOKIE_PATH, HOME, LOGIN_PATH, safe_next, secure_cookies

COOKIE = "hub_language"
# Signed in, the switch proves itself with the session's CSRF token; at the sign-in page, with
# the login form's (its cookie is scoped to /ui/login, so the switch posts below it there).
PATH = "/ui/language"
LOGIN_SWITCH_PATH = f"{LOGIN_PATH}/language"
_YEAR = 365 * 24 * 3600

router = APIRouter()


def chosen(connection: HTTPConnection) -> str:
    """The language to serve this request in."""
    choice = connection.cookies.get(COOKIE)
    if choice in LANGUAGES:
        return choice
    return negotiate(connection.headers.get("accept-language"))


def language_of(request: Request) -> str:
    """The language this request is served in (set by the middleware, else worked out)."""
    return getattr(request.state, "language", None) or chosen(request)


class LanguageMiddleware:
    """Serves each UI request in its language: the context variable that `_()` and the
    templates read, `request.state.language`, and Content-Language on the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        language = chosen(HTTPConnection(scope))
        scope.setdefault("state", {})["language"] = language

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Language", language)
                headers.add_vary_header("Accept-Language")
            await send(message)

        with use_language(language):
            await self.app(scope, receive, send_with_language)


def switch(request: Request) -> dict[str, str]:
    """What the header's switch offers: the other language, and where it posts."""
    other = next(code for code in LANGUAGES if code != language_of(request))
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    signed_in = getattr(request.state, "analyst", None) is not None
    return {
        "to": other,
        "name": NAMES[other],
        "action": PATH if signed_in else LOGIN_SWITCH_PATH,
        "next": safe_next(here) if request.method == "GET" else HOME,
    }


@router.post("/language")
@router.post("/login/language")
async def choose(
    request: Request,
    language: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = HOME,
) -> RedirectResponse:
    """Remember the chosen language in this browser and go back to the page it was chosen on."""
    if language not in LANGUAGES:
        raise InvalidInput(_("Choose Dutch (nl) or English (en)."))
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        language,
        max_age=_YEAR,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request.app.state.settings),
    )
    return response
