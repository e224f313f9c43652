"""The OAuth routes at the root of the hub: token endpoint, JWKS and server metadata.

They live outside /api/v1 and outside the published API contract: OAuth clients find them
through the RFC 8414 metadata, and they answer in OAuth's own error format (RFC 6749 §5.2).
"""

from urllib.parse import parse_qsl

from authlib.oauth2.rfc6749 import InvalidRequestError
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from hub.auth.scopes import SCOPES
from hub.auth.server import (
    ASSERTION_ALGORITHMS,
    AUTH_METHODS,
    GRANT_TYPE,
    FormRequest,
    HubAuthorizationServer,
)
from hub.auth.throttle import TokenThrottle, claimed_client_id

router = APIRouter()

_FORM = "application/x-www-form-urlencoded"


@router.post("/oauth/token", include_in_schema=False)
async def token(request: Request) -> JSONResponse:
    """Issue an access token for the client-credentials grant (RFC 6749 §4.4)."""
    oauth: HubAuthorizationServer = request.app.state.oauth
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != _FORM:
        return oauth.handle_error_response(
            None, InvalidRequestError(f"The token request must be sent as {_FORM}.")
        )
    try:
        # Blank parameters count as absent (RFC 6749 §3.1), so they are dropped here.
        form = parse_qsl((await request.body()).decode("utf-8"), strict_parsing=False)
    except UnicodeDecodeError:
        return oauth.handle_error_response(
            None, InvalidRequestError("The form body is not valid UTF-8.")
        )
    throttle: TokenThrottle = request.app.state.token_throttle
    client_id = claimed_client_id(dict(form), request.headers.get("authorization"))
    address = request.client.host if request.client else "unknown"
    wait = throttle.admit(client_id, address)
    if wait is not None:
        return JSONResponse(
            {
                "error": "temporarily_unavailable",
                "error_description": f"Too many token requests; try again in {wait} s.",
            },
            status_code=429,
            headers={"Retry-After": str(wait), "Cache-Control": "no-store"},
        )
    # Authlib refuses plain http except on loopback. What matters is the public address the
    # operator configured (https in production, behind a TLS proxy), not the hop it came over.
    settings = request.app.state.settings
    form_request = FormRequest("POST", settings.token_endpoint, form, request.headers)
    # The grant reads and writes the database (clients, used assertions): not on the loop.
    response = await run_in_threadpool(oauth.create_token_response, form_request)
    if response.status_code == 401:
        throttle.failed(client_id)
    return response


@router.get("/.well-known/jwks.json", include_in_schema=False)
def jwks(request: Request) -> JSONResponse:
    """The public keys that sign the hub's access tokens, including recently retired ones."""
    return JSONResponse(request.app.state.signing_keys.public_jwks())


@router.get("/.well-known/oauth-authorization-server", include_in_schema=False)
def metadata(request: Request) -> JSONResponse:
    """Authorization server metadata (RFC 8414)."""
    settings = request.app.state.settings
    return JSONResponse(
        {
            "issuer": settings.issuer,
            "token_endpoint": settings.token_endpoint,
            "jwks_uri": f"{settings.issuer}/.well-known/jwks.json",
            "grant_types_supported": [GRANT_TYPE],
            "token_endpoint_auth_methods_supported": AUTH_METHODS,
            "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
            "scopes_supported": list(SCOPES),
            # RFC 8414 makes this member REQUIRED, yet it describes the authorization endpoint,
            # which the hub does not have (machine clients only). An empty list states exactly
            # that; inventing a value such as "code" would invite clients to try it.
            "response_types_supported": [],
        }
    )
