"""Pure ASGI middleware: the headers every response carries, the input guard, Server-Timing."""

import json
import re
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub import API_VERSION
from hub.errors import PROBLEM_JSON, HubError, InvalidInput, NotFound, instance_of
from hub.kit import timing
from hub.kit.screening import screen_json, screen_parameters

SECURITY_HEADERS = {
    "API-Version": API_VERSION,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=31536000",
}
STATIC_PREFIX = "/ui/static/"
# Public documents: the contract and the OAuth discovery documents, fetchable from any origin.
PUBLIC_PATHS = {
    "/api/v1/openapi.json",
    "/.well-known/jwks.json",
    "/.well-known/oauth-authorization-server",
}


class HeadersMiddleware:
    """Adds API-Version and security headers; API data must never sit in a cache."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        public = scope["path"] in PUBLIC_PATHS
        # The UI's scripts and styles hold no data and change only with a release.
        static = scope["path"].startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if public:
                    headers["Access-Control-Allow-Origin"] = "*"
                    headers.setdefault("Cache-Control", "public, max-age=300")
                elif static:
                    headers["Cache-Control"] = "public, max-age=3600"
                else:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ServerTimingMiddleware:
    """Adds Server-Timing to every response: the database's share and the total, in ms.

    The total runs to the start of the response, so a streamed body's tail is not in it.
    Durations only: nothing in the header says what was asked or found.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        spent = timing.start()

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Server-Timing"] = spent.header()
            await send(message)

        await self.app(scope, receive, send_with_timing)


class InputGuardMiddleware:
    """Screen raw input against `hub.limits` before the application sees it.

    The body is read here whole, counted as it streams in: a declared Content-Length over the
    limit is refused before any byte is read, a chunked one as soon as it passes the limit
    (413). Then control characters in the path and in query or form parameters, and JSON that
    nests too deep, holds numbers no column can take or control characters, get a 400 problem
    naming the parameter or the JSON pointer; a control character in the path is a 404.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max:
            await self._refuse(send, scope, _too_large(self.max), close=True)
            return
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max:
                await self._refuse(send, scope, _too_large(self.max), close=True)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        raw = b"".join(chunks)
        if _CONTROL.search(scope["path"]):
            # No resource has a control character in its address.
            await self._refuse(send, scope, NotFound("No resource at this address."))
            return
        errors = _screen(scope, headers, raw)
        if errors:
            error = InvalidInput(
                "The request holds input outside the hub's limits; nothing was stored.",
                errors=errors,
            )
            await self._refuse(send, scope, error)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send, scope: Scope, error: HubError, close: bool = False) -> None:
        body = json.dumps(error.problem(instance=instance_of(scope["path"]))).encode()
        headers = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        if close:
            # The rest of the body is never read, so the connection cannot be reused.
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": error.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _ContentTooLarge(HubError):
    status, slug, title = 413, "content-too-large", "Content too large"


def _too_large(limit: int) -> HubError:
    return _ContentTooLarge(f"The request body exceeds {limit} bytes; nothing was stored.")


def _screen(scope: Scope, headers: dict[bytes, bytes], raw: bytes) -> list[dict[str, Any]]:
    errors = []
    errors += screen_parameters(scope.get("query_string", b""))
    kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    if not raw:
        return errors
    if kind == b"application/x-www-form-urlencoded":
        errors += screen_parameters(raw, where="form")
    elif kind == b"application/x-ndjson":
        errors += screen_json(raw, ndjson=True)
    elif kind == b"application/json" or kind.endswith(b"+json"):
        errors += screen_json(raw)
    return errors


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
