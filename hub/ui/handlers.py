"""Errors in the UI are pages in the frame, not problem+json; no session is a sign-in redirect."""

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub.errors import HubError
from hub.ui.sessions import COOKIE, SignInRequired, clear_session_cookie, login_url, signed_in
from hub.ui.templating import templates

log = logging.getLogger(__name__)


async def error_page(
    request: Request, status: int, detail: str, *, title: str | None = None
) -> Response:
    """An error shown in the page frame (with the header when the visitor is signed in)."""
    if status != 500:
        try:
            await signed_in(request)
        except Exception:  # the error page must render even when the database does not answer
            log.exception("could not read the session for an error page")
    return templates.TemplateResponse(
        request,
        "error.html",
        {"title": title or HTTPStatus(status).phrase, "detail": detail},
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
        return await error_page(request, exc.status, exc.detail, title=exc.title)

    @ui.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return await error_page(request, 400, "The request was incomplete or malformed.")

    @ui.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = "There is no page at this address." if exc.status_code == 404 else str(exc.detail)
        response = await error_page(request, exc.status_code, detail)
        response.headers.update(exc.headers or {})
        return response

    @ui.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # The traceback goes to the server log; the page says nothing internal.
        return await error_page(request, 500, "The hub could not show this page.")
