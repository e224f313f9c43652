"""The UI as its own app, mounted at /ui: HTML errors, CSRF on every route, strict headers."""

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.config import Settings
from hub.kit.crypto import DataKeys
from hub.ui import language, oidc
from hub.ui.csrf import csrf_guard
from hub.ui.handlers import install_html_handlers
from hub.ui.pages import router as pages_router
from hub.ui.router import router
from hub.ui.sessions import secure_cookies
from hub.ui.templating import STATIC_DIR

# Scripts, styles and images from the hub only, never inline: an injected <script> or
# style="" does nothing. No framing, forms post only to the hub, no <base> rewriting.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
STATIC_PREFIX = "/ui/static/"


class UIHeadersMiddleware:
    """The UI's CSP on every response; pages are never cached (static files may be)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # A page that brings its own, stricter policy keeps it (a stored report has
                # inline styles and SVG but no script at all).
                headers.setdefault("Content-Security-Policy", CSP)
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                # Under the hub's no-referrer a browser posts forms with "Origin: null", which
                # the CSRF check must refuse; same-origin still tells other sites nothing.
                headers["Referrer-Policy"] = "same-origin"
                if not static:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def ui_key(data_keys: DataKeys) -> bytes:
    """The UI's secret (signing the sign-on state cookie, keying log hashes).

    Derived from a key the hub already keeps, so every process of one hub shares it and
    there is no further key file to create, back up or leak; HKDF keeps the two independent.
    """
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"barrier-hub/ui/v1")
    return hkdf.derive(data_keys.pseudonym_key)


def build_ui(settings: Settings, data_keys: DataKeys) -> FastAPI:
    """The analysts' UI; pages are added by including their routers here."""
    ui = FastAPI(
        title="Barrier Hub UI",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
        # Every route, also those added later, refuses a forged POST.
        dependencies=[Depends(csrf_guard)],
    )
    key = ui_key(data_keys)
    ui.state.ui_key = key
    ui.state.oidc = oidc.build_client(settings)
    install_html_handlers(ui)
    ui.include_router(router)
    ui.include_router(language.router)
    ui.include_router(pages_router)
    if ui.state.oidc is not None:
        ui.include_router(oidc.router)
        # Only with single sign-on, and its cookie only on the sign-on paths.
        ui.add_middleware(
            SessionMiddleware,
            secret_key=key.hex(),
            session_cookie=oidc.STATE_COOKIE,
            max_age=oidc.STATE_MAX_AGE,
            path=oidc.START_PATH,
            same_site="lax",
            https_only=secure_cookies(settings),
        )
    ui.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    ui.add_middleware(language.LanguageMiddleware)
    ui.add_middleware(UIHeadersMiddleware)
    return ui
