"""Single sign-on with OpenID Connect (Authlib's Starlette client), for production.

The provider vouches for the person; two of its claims name their agency code and UI role.
The callback then starts a hub session exactly as a local sign-in does.
"""

import logging
import warnings
from typing import Any

import httpx
from authlib.integrations.base_client import OAuthError
from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from joserfc.errors import JoseError
from sqlalchemy.orm import Session, sessionmaker

from hub.config import Settings
from hub.db import transaction
from hub.errors import Forbidden, HubError
from hub.kit.i18n import N_
from hub.kit.i18n import gettext as _
from hub.ui import accounts
from hub.ui.sessions import COOKIE, safe_next, set_session_cookie, start_session
from hub.ui.templating import templates

log = logging.getLogger(__name__)
router = APIRouter()
# Authlib talks HTTP through httpx2 where it is installed, else through httpx.
try:
    import httpx2  # type: ignore[import-not-found]

    HTTP_ERRORS: tuple[type[Exception], ...] = (httpx.HTTPError, httpx2.HTTPError)
except ImportError:
    HTTP_ERRORS = (httpx.HTTPError,)
START_PATH = "/ui/login/oidc"
CALLBACK_PATH = "/ui/login/oidc/callback"
# The state and nonce cookie of a sign-on in progress (Starlette's SessionMiddleware): scoped
# to the sign-on paths, short-lived, and Lax because it must come back on the provider's
# cross-site redirect to the callback.
STATE_COOKIE = "hub_oidc"
STATE_MAX_AGE = 600


class SignOnFailed(HubError):
    status, slug, title = 400, "sign-on-failed", N_("Sign-in did not complete")


class ProviderUnavailable(HubError):
    status, slug, title = 502, "provider-unavailable", N_("Sign-in provider unavailable")


def build_client(settings: Settings) -> Any:
    """The registered OpenID client, or None when single sign-on is not configured."""
    if not settings.oidc_metadata_url:
        return None
    # Imported only here: hubs without single sign-on never load Authlib's HTTP client. Its
    # notice that it would rather use httpx2 than httpx is for Authlib's users, not operators.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The httpx module is deprecated")
        from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    secret = settings.oidc_client_secret
    return oauth.register(
        name="hub",
        client_id=settings.oidc_client_id,
        client_secret=secret.get_secret_value() if secret else None,
        server_metadata_url=settings.oidc_metadata_url,
        client_kwargs={"scope": settings.oidc_scope, "code_challenge_method": "S256"},
    )


@router.get("/login/oidc")
async def start(request: Request, next: str | None = None) -> Response:
    """Send the browser to the OpenID provider to sign in."""
    settings: Settings = request.app.state.settings
    request.session["next"] = safe_next(next)
    try:
        return await request.app.state.oidc.authorize_redirect(
            request, redirect_uri=settings.issuer + CALLBACK_PATH
        )
    except (*HTTP_ERRORS, ValueError) as exc:
        log.warning("OpenID provider discovery failed: %s", type(exc).__name__)
        raise ProviderUnavailable(
            _("The sign-in provider could not be reached; try later.")
        ) from exc


@router.get("/login/oidc/callback")
async def callback(request: Request) -> Response:
    """Where the provider sends the browser back: check its answer and start a session."""
    settings: Settings = request.app.state.settings
    client = request.app.state.oidc
    next_url = safe_next(request.session.pop("next", None))
    try:
        token = await client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise SignOnFailed(_("The provider sent no ID token."))
        if settings.oidc_agency_claim not in claims or settings.oidc_role_claim not in claims:
            extra = dict(await client.userinfo(token=token))
            if extra.get("sub") != claims.get("sub"):
                raise SignOnFailed(_("The provider's user information is not about this person."))
            claims = extra | claims
    except (OAuthError, JoseError) as exc:
        log.warning("OpenID sign-on refused: %s", exc)
        raise SignOnFailed(
            _(
                "The sign-in could not be verified (it may have expired or been started in "
                "another window). Please try again."
            )
        ) from exc
    except (*HTTP_ERRORS, ValueError) as exc:
        log.warning("OpenID provider unreachable: %s", type(exc).__name__)
        raise ProviderUnavailable(
            _("The sign-in provider could not be reached; try later.")
        ) from exc
    identity = _identity(claims, settings)
    try:
        session_token = await run_in_threadpool(
            _sign_in, request.app.state.sessions, settings, identity, request.cookies.get(COOKIE)
        )
    except accounts.AccountError as exc:
        ref = accounts.log_ref(request.app.state.ui_key, identity["external_id"])
        log.warning("OpenID sign-on of user %s refused: %s", ref, exc)
        raise Forbidden(
            _("You signed in, but the hub cannot let you in: {reason}.").format(reason=exc)
        ) from exc
    response = templates.TemplateResponse(request, "signed_in.html", {"next": next_url})
    set_session_cookie(response, session_token, settings)
    return response


def _identity(claims: dict[str, Any], settings: Settings) -> dict[str, str]:
    """The account the claims describe: who (issuer and subject), name, agency, role and the
    name colleagues read."""
    agency, role = claims.get(settings.oidc_agency_claim), claims.get(settings.oidc_role_claim)
    if isinstance(role, list) and len(role) == 1:
        role = role[0]  # providers often send roles as a list
    if not isinstance(agency, str) or not agency:
        raise Forbidden(
            _(
                "You signed in, but your account names no agency (claim {claim}); ask your "
                "administrator."
            ).format(claim=repr(settings.oidc_agency_claim))
        )
    if not isinstance(role, str) or not role:
        raise Forbidden(
            _(
                "You signed in, but your account names no single hub role (claim {claim}); ask "
                "your administrator."
            ).format(claim=repr(settings.oidc_role_claim))
        )
    candidates = [claims.get(k) for k in ("preferred_username", "email", "sub")]
    name = next(
        (
            accounts.normalise_username(c)
            for c in candidates
            if isinstance(c, str) and accounts.USERNAME.fullmatch(accounts.normalise_username(c))
        ),
        None,
    )
    if name is None:
        raise Forbidden(_("You signed in, but your account has no name the hub can use."))
    return {
        "external_id": f"{claims['iss']}|{claims['sub']}",
        "username": name,
        "agency_code": agency,
        "role": role,
        "shown": _person_name(claims),
    }


def _person_name(claims: dict[str, Any]) -> str | None:
    """The person's name as the provider gives it (OpenID `name`, else given + family name);
    None when it gives none the hub can show, and the username stands in."""
    name = claims.get("name")
    if not isinstance(name, str):
        parts = [claims.get(k) for k in ("given_name", "family_name")]
        name = " ".join(p for p in parts if isinstance(p, str))
    try:
        return accounts.display_name(name)
    except accounts.AccountError:
        return None


def _sign_in(
    sessions: sessionmaker[Session],
    settings: Settings,
    identity: dict[str, str],
    replacing: str | None,
) -> str:
    with transaction(sessions) as db:
        user = accounts.sign_in_external(db, **identity)
        return start_session(db, user, settings=settings, replacing=replacing)
