"""The OAuth2 authorization server: Authlib's core behind a thin Starlette adapter.

Only the client-credentials grant exists. Clients authenticate with private_key_jwt (RFC 7523,
the NL GOV profile's choice) or, for the demo, a client secret; the token is a JWT access
token (RFC 9068) signed by the hub's active key. No refresh token is ever issued.
"""

import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    InvalidClientError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import JSONResponse

from hub.agencies.models import Agency
from hub.auth.clients import secret_matches
from hub.auth.keys import ALGORITHM, SigningKeys
from hub.auth.models import OAuthClient, UsedAssertion
from hub.auth.scopes import SCOPES
from hub.config import Settings
from hub.db import transaction

log = logging.getLogger(__name__)
# Authlib logs every issued access token at DEBUG; a hub's logs must never hold one, whatever
# level an operator turns the rest of the logging to.
logging.getLogger("authlib").setLevel(logging.INFO)

GRANT_TYPE = "client_credentials"
AUTH_METHODS = ["private_key_jwt", "client_secret_basic", "client_secret_post"]
# Asymmetric algorithms only: a client assertion is signed with the client's private key.
ASSERTION_ALGORITHMS = ["RS256", "PS256", "ES256"]
# Authlib's own client signs assertions valid for an hour; longer ones are refused, which also
# bounds how long a used jti must be remembered.
MAX_ASSERTION_LIFETIME = 3600
ASSERTION_LEEWAY = 60
_PURGE_INTERVAL = 60.0
_NO_CACHE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# One answer whatever went wrong with the client's credentials: an unknown (or disabled) client
# and a wrong secret or assertion must look alike, or the answers would confirm client ids.
CLIENT_AUTH_FAILED = "Client authentication failed."


@dataclass(frozen=True)
class FormRequest:
    """A token request whose form body the (async) endpoint has already read."""

    method: str
    url: str
    form: list[tuple[str, str]]
    headers: Mapping[str, str]


class HubOAuth2Request(OAuth2Request):
    def __init__(self, request: FormRequest) -> None:
        super().__init__(request.method, request.url, headers=request.headers)
        names = [name for name, _ in request.form]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:  # RFC 6749 §3.2: request parameters MUST NOT be included more than once
            raise InvalidRequestError(f"Repeated parameter(s): {', '.join(repeated)}.")
        self._form = dict(request.form)
        self.payload = BasicOAuth2Payload(self._form)

    @property
    def args(self) -> dict[str, str]:
        return {}  # the token endpoint reads the form body only

    @property
    def form(self) -> dict[str, str]:
        return self._form


@dataclass(frozen=True)
class HubClient(ClientMixin):
    """A snapshot of an enabled OAuth client, detached from any session."""

    client_id: str
    agency_code: str
    scopes: frozenset[str]
    # Kept out of repr: Authlib logs the client object at DEBUG.
    secret_hash: str | None = field(repr=False)
    jwks: dict[str, Any] | None = field(repr=False)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        requested = scope_to_list(scope) or sorted(self.scopes)
        return " ".join(s for s in requested if s in self.scopes)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return secret_matches(self.secret_hash, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        # A client may use whichever credential it has: its secret, its registered keys, or both.
        if endpoint != "token":
            return False
        if method in ("client_secret_basic", "client_secret_post"):
            return self.secret_hash is not None
        if method == "private_key_jwt":
            return self.jwks is not None
        return False

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == GRANT_TYPE


class HubClientCredentialsGrant(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def validate_requested_scope(self) -> None:
        super().validate_requested_scope()  # every scope must exist (scopes_supported)
        requested = set(scope_to_list(self.request.payload.scope) or ())
        if not requested <= self.client.scopes:
            raise InvalidScopeError(
                "The client may not request: " + " ".join(sorted(requested - self.client.scopes))
            )


class PrivateKeyJWTAuth(JWTBearerClientAssertion):
    """private_key_jwt (RFC 7523 §2.2): a signed assertion whose `jti` is accepted only once."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def __init__(self, *, audiences: list[str], sessions: sessionmaker[Session]) -> None:
        super().__init__(validate_jti=True, leeway=ASSERTION_LEEWAY)
        self._audiences = audiences
        self._sessions = sessions
        self._next_purge = 0.0

    def get_audiences(self) -> list[str]:
        return self._audiences

    def resolve_client_public_key(self, client: HubClient) -> KeySet:
        if client.jwks is None:
            raise InvalidClientError(description="The client has no registered public keys.")
        return KeySet.import_key_set(client.jwks)  # type: ignore[arg-type]

    def process_assertion_claims(self, assertion: str, resolve_key: Any) -> dict[str, Any]:
        # As Authlib's, but with the algorithms pinned rather than joserfc's defaults.
        try:
            token = jwt.decode(assertion, resolve_key, algorithms=ASSERTION_ALGORITHMS)
        except (JoseError, ValueError) as exc:
            raise InvalidClientError(description="The client assertion is invalid.") from exc
        self.verify_claims(token.claims)
        return token.claims

    def verify_claims(self, claims: dict[str, Any]) -> None:
        exp = claims.get("exp")
        latest = time.time() + MAX_ASSERTION_LIFETIME + self.leeway
        if isinstance(exp, int | float) and exp > latest:
            raise InvalidClientError(
                description=f"The client assertion may be valid for {MAX_ASSERTION_LIFETIME} s."
            )
        super().verify_claims(claims)

    def validate_jti(self, claims: dict[str, Any], jti: str) -> bool:
        """Record the jti; False when this client used it before (the unique key says so)."""
        if len(jti) > UsedAssertion.jti.type.length:  # type: ignore[attr-defined]
            return False
        # Remember it for as long as the assertion could be accepted.
        expires_at = datetime.fromtimestamp(claims["exp"] + self.leeway, UTC)
        try:
            with transaction(self._sessions) as session:
                self._purge_expired(session)
                session.add(UsedAssertion(client_id=claims["sub"], jti=jti, expires_at=expires_at))
                session.flush()
        except IntegrityError:
            log.warning("replayed client assertion for %s", claims["sub"])
            return False
        return True

    def _purge_expired(self, session: Session) -> None:
        if time.monotonic() < self._next_purge:
            return
        self._next_purge = time.monotonic() + _PURGE_INTERVAL
        session.execute(delete(UsedAssertion).where(UsedAssertion.expires_at < datetime.now(UTC)))


class HubAuthorizationServer(AuthorizationServer):
    """Authlib's server with a Starlette adapter, a DB-backed client lookup and JWT tokens."""

    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], signing_keys: SigningKeys
    ) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.settings = settings
        self.sessions = sessions
        self.signing_keys = signing_keys

    # -- the Starlette adapter -----------------------------------------------------------

    def create_oauth2_request(self, request: FormRequest | OAuth2Request) -> OAuth2Request:
        if isinstance(request, OAuth2Request):
            return request
        return HubOAuth2Request(request)

    def create_token_response(self, request: Any = None) -> JSONResponse:
        try:  # Authlib builds the request outside its own error handling
            oauth_request = self.create_oauth2_request(request)
        except OAuth2Error as error:
            return self.handle_response(*error())
        return super().create_token_response(oauth_request)

    def handle_response(
        self, status: int, body: Any, headers: list[tuple[str, str]]
    ) -> JSONResponse:
        extra = {name: value for name, value in headers if name.lower() != "content-type"}
        return JSONResponse(body, status_code=status, headers=extra | _NO_CACHE)

    def handle_error_response(self, request: OAuth2Request, error: OAuth2Error) -> JSONResponse:
        status, body, headers = error(self.get_error_uri(request, error))
        if isinstance(error, InvalidClientError):
            # RFC 6749 §5.2: 401 with a challenge, whichever way the client authenticated.
            status = 401
            body = dict(body) | {"error_description": CLIENT_AUTH_FAILED}
            headers = [(n, v) for n, v in headers if n.lower() != "www-authenticate"]
            headers.append(("WWW-Authenticate", 'Basic realm="barrier-hub"'))
        return self.handle_response(status, body, headers)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None  # no listeners

    # -- storage ---------------------------------------------------------------------------

    def query_client(self, client_id: str) -> HubClient | None:
        """The enabled client with this id; a disabled client does not exist."""
        with self.sessions() as session:
            row = session.execute(
                select(OAuthClient, Agency.code)
                .join(Agency, Agency.id == OAuthClient.agency_id)
                .where(OAuthClient.client_id == client_id, OAuthClient.disabled_at.is_(None))
            ).one_or_none()
        if row is None:
            return None
        client, agency_code = row
        return HubClient(
            client_id=client.client_id,
            agency_code=agency_code,
            scopes=frozenset(client.scopes.split()),
            secret_hash=client.secret_hash,
            jwks=client.jwks,
        )

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        return None  # self-contained JWTs; nothing to store

    # -- tokens ----------------------------------------------------------------------------

    def generate_access_token(
        self,
        grant_type: str,
        client: HubClient,
        user: Any = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        """An RFC 9068 JWT access token; `include_refresh_token` is ignored: never one."""
        granted = client.get_allowed_scope(scope)
        lifetime = self.settings.token_lifetime
        key = self.signing_keys.active()
        issued_at = int(time.time())
        claims = {
            "iss": self.settings.issuer,
            "aud": self.settings.audience,
            "sub": client.client_id,
            "client_id": client.client_id,
            "agency": client.agency_code,
            "scope": granted,
            "iat": issued_at,
            "exp": issued_at + lifetime,
            "jti": secrets.token_urlsafe(16),
        }
        header = {"alg": ALGORITHM, "typ": "at+jwt", "kid": key.kid}
        access_token = jwt.encode(header, claims, key, algorithms=[ALGORITHM])
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": lifetime,
            "scope": granted,
        }


def build_authorization_server(
    settings: Settings, sessions: sessionmaker[Session], signing_keys: SigningKeys
) -> HubAuthorizationServer:
    """The hub's authorization server: client credentials, three client auth methods."""
    server = HubAuthorizationServer(settings, sessions, signing_keys)
    # RFC 7523 says the audience SHOULD be the token endpoint; the issuer identifies us too.
    audiences = [settings.token_endpoint, settings.issuer]
    server.register_client_auth_method(
        "private_key_jwt", PrivateKeyJWTAuth(audiences=audiences, sessions=sessions)
    )
    server.register_grant(HubClientCredentialsGrant)
    server.register_token_generator("default", server.generate_access_token)
    return server
