"""One error base carrying its HTTP status and RFC 9457 problem type, and its handlers."""

import logging
from collections.abc import Iterable, Iterator
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from hub.kit.i18n import N_

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://barrier-hub.github.io/problems/"


class HubError(Exception):
    """An error the client caused or may see; rendered as application/problem+json."""

    status: int = 400
    slug: str = "bad-request"
    title: str = N_("Bad request")  # N_: the UI shows titles translated

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        # A detail marked for the catalogue may name {placeholders} filled from `params`: the
        # API sends it filled in, in English; the UI shows it translated (`translated`).
        text = detail.format(**params) if params else detail
        super().__init__(text)
        self.detail = text
        self.template = detail
        self.params = params or {}
        self.errors = errors
        self.headers = headers or {}

    def translated(self) -> str:
        """The detail in the current language, where the catalogue has it; a status, action
        or `what` among the values is shown as a word of that language too."""
        from hub.kit.i18n import gettext
        from hub.kit.terms import term

        values = {
            k: term(v) if k in ("status", "action", "what") and isinstance(v, str) else v
            for k, v in self.params.items()
        }
        return gettext(self.template).format(**values) if values else gettext(self.template)

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = self.errors
        return body


class InvalidInput(HubError):
    status, slug, title = 400, "invalid-input", N_("Invalid input")


class Unauthorized(HubError):
    status, slug, title = 401, "unauthorized", N_("Unauthorized")


class Forbidden(HubError):
    status, slug, title = 403, "forbidden", N_("Forbidden")


class NotFound(HubError):
    status, slug, title = 404, "not-found", N_("Not found")


class NotAcceptable(HubError):
    status, slug, title = 406, "not-acceptable", N_("Not acceptable")


class Conflict(HubError):
    status, slug, title = 409, "conflict", N_("Conflict")


class PreconditionFailed(HubError):
    status, slug, title = 412, "precondition-failed", N_("Precondition failed")


class PreconditionRequired(HubError):
    status, slug, title = 428, "precondition-required", N_("Precondition required")


class UnsupportedMediaType(HubError):
    status, slug, title = 415, "unsupported-media-type", N_("Unsupported media type")


class Unavailable(HubError):
    status, slug, title = 503, "unavailable", N_("Service unavailable")


# Seconds a client is asked to wait when the database is busy or unreachable.
RETRY_AFTER = 5


def instance_of(path: str) -> str:
    """The request path percent-encoded: a valid URI reference whatever the client sent."""
    return quote(path, safe="/!$&'()*+,;=:@-._~")


def problem_response(error: HubError, request: Request) -> JSONResponse:
    return JSONResponse(
        error.problem(instance=instance_of(request.url.path)),
        status_code=error.status,
        headers=error.headers,
        media_type=PROBLEM_JSON,
    )


def pointer(loc: tuple[Any, ...] | list[Any], document: Any = None) -> str:
    """A JSON pointer (RFC 6901) into `document` for a pydantic error location.

    Discriminated unions put the tag value into the location; it is not part of the document,
    so a string step that names the object's own `type` is skipped.
    """
    parts: list[str] = []
    node = document
    for step in loc:
        if (
            isinstance(node, dict)
            and isinstance(step, str)
            and node.get("type") == step
            and step not in node
        ):
            continue
        parts.append(str(step).replace("~", "~0").replace("/", "~1"))
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            node = None
    return "/" + "/".join(parts) if parts else ""


def field_errors(raw: list[Any], document: Any = None, *, prefix: str = "") -> list[dict[str, Any]]:
    """Pydantic errors as problem `errors` entries, each with a pointer into the body."""
    out = []
    for err in raw:
        loc = list(err.get("loc", ()))
        entry: dict[str, Any] = {"detail": _message(err)}
        if loc and loc[0] in ("query", "header", "path", "cookie"):
            entry["in"] = loc[0]
            entry["name"] = ".".join(str(p) for p in loc[1:])
        else:
            if loc and loc[0] == "body":
                loc = loc[1:]
            entry["pointer"] = prefix + pointer(loc, document)
        out.append(entry)
    return out


def _message(err: dict[str, Any]) -> str:
    msg = str(err.get("msg", "invalid"))
    # pydantic prefixes our own ValueErrors; the prefix says nothing to an integrator.
    return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route at this path answers (Starlette names only the first route's).

    A route whose path is this very address wins over one that only fits it through a
    parameter: /covenants/simulations is not the covenant `simulations` of /covenants/{id}."""
    fits = [
        (method, route)
        for method in _METHODS
        for route in _flat(request.app.router.routes)
        if route.matches(dict(request.scope, method=method))[0] is Match.FULL
    ]
    exact = [(method, route) for method, route in fits if "{" not in getattr(route, "path", "{")]
    chosen = {method for method, _ in exact or fits}
    return [method for method in _METHODS if method in chosen]


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _flat(routes: Iterable[Any]) -> Iterator[Any]:
    """The routes themselves, out of the routers FastAPI wraps included ones in."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is None:
            yield route
        else:
            yield from _flat(inner.routes)


def install_handlers(app: FastAPI) -> None:
    """Render every error as problem+json: ours, Starlette's, validation, and the unexpected."""

    @app.exception_handler(HubError)
    async def _hub(request: Request, exc: HubError) -> JSONResponse:
        return problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = field_errors(list(exc.errors()), exc.body)
        if any(e.get("detail", "").startswith("JSON decode error") for e in errors):
            error = InvalidInput("The request body is not valid JSON.", errors=errors)
        else:
            error = InvalidInput(f"{len(errors)} field(s) failed validation.", errors=errors)
        return problem_response(error, request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        error = HubError(str(exc.detail), headers=dict(exc.headers or {}))
        error.status = exc.status_code
        error.title = HTTPStatus(exc.status_code).phrase
        error.slug = error.title.lower().replace(" ", "-")
        if exc.status_code == 404:
            error.detail = "No resource at this address."
        if exc.status_code == 405:
            allowed = allowed_methods(request)
            error.headers["Allow"] = ", ".join(allowed)
            error.detail = f"This address answers {', '.join(allowed)} only."
        return problem_response(error, request)

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _database_busy(request: Request, exc: Exception) -> JSONResponse:
        # A locked SQLite file, a pool with no connection free, a database that went away: the
        # transaction was rolled back, so the client may simply try again. The type only in
        # the log, as the message quotes the statement.
        log.warning("database busy or unreachable (%s)", type(getattr(exc, "orig", exc)).__name__)
        error = Unavailable(
            "The database is busy or unreachable; nothing of this request was stored. "
            "Try again shortly.",
            headers={"Retry-After": str(RETRY_AFTER)},
        )
        return problem_response(error, request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the server log via uvicorn; the client learns nothing internal.
        error = HubError("The hub could not handle this request.")
        error.status, error.slug, error.title = 500, "internal-error", "Internal server error"
        # The server drops the connection after an unhandled error; say so, or a client that
        # reuses it meets a reset.
        error.headers["Connection"] = "close"
        return problem_response(error, request)
