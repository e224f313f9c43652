"""Errors in the UI are pages in the frame, not problem+json; no session is a sign-in redirect."""

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub.errors import HubError
from hub.kit.i18n import N_, use_language
from hub.kit.i18n import gettext as _
from hub.ui.language import language_of
from hub.ui.sessions import COOKIE, SignInRequired, clear_session_cookie, login_url, signed_in
from hub.ui.templating import templates

log = logging.getLogger(__name__)
# Titles for the statuses the hub's own errors do not name (Starlette's 404 and 405).
STATUS_TITLES = {
    400: N_("Bad request"),
    403: N_("Forbidden"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    500: N_("Internal server error"),
}
STATUS_DETAILS = {
    404: N_("There is no page at this address."),
    405: N_("This page cannot be used that way."),
}


async def error_page(
    request: Request, status: int, detail: str, *, title: str | None = None
) -> Response:
    """An error shown in the page frame (with the header when the visitor is signed in), in
    the request's language: a text the catalogue knows (a title, a constant detail) is
    translated here, one made with values was translated where it was made."""
    if status != 500:
        try:
            await signed_in(request)
        except Exception:  # the error page must render even when the database does not answer
            log.exception("could not read the session for an error page")
    # Set again here: an unexpected error reaches its handler outside the language middleware.
    with use_language(language_of(request)):
        heading = title or STATUS_TITLES.get(status) or HTTPStatus(status).phrase
        return templates.TemplateResponse(
            request,
            "error.html",
            {"title": _(heading), "detail": _(detail)},
            status_code=status,
        )


def install_html_handlers(ui: FastAPI) -> None:
    @ui.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        target = login_url(exc.next_url)
        response: Response
        if request.headers.get("HX-Request"):
            # htmx would swap a followed redirect into part of the page; this reloads it whole.
            response = Response(status_code=401, headers={"HX-Redirect": target})
        else:
            response = RedirectResponse(target, status_code=303)
        if COOKIE in request.cookies:
            clear_session_cookie(response, request.app.state.settings)
        return response

    @ui.exception_handler(HubError)
    async def _hub(request: Request, exc: HubError) -> Response:
        with use_language(language_of(request)):
            detail = exc.translated()
        return await error_page(request, exc.status, detail, title=exc.title)

    @ui.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return await error_page(request, 400, N_("The request was incomplete or malformed."))

    @ui.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = STATUS_DETAILS.get(exc.status_code, str(exc.detail))
        response = await error_page(request, exc.status_code, detail)
        response.headers.update(exc.headers or {})
        return response

    @ui.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # The traceback goes to the server log; the page says nothing internal.
        return await error_page(request, 500, N_("The hub could not show this page."))
