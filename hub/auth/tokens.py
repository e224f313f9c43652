"""Bearer-token checks on the API: verify the hub's JWT, resolve the caller, enforce scopes."""

import threading
import weakref
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.models import OAuthFlows
from fastapi.security import OAuth2, SecurityScopes
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import KeySet
from sqlalchemy.orm import Session, sessionmaker

from hub.agencies import repository as agencies
from hub.auth.caller import Caller
from hub.auth.keys import ALGORITHM, SigningKeys, StoredKey
from hub.auth.revocation import ClientStates, accepts
from hub.auth.scopes import SCOPES
from hub.config import Settings
from hub.errors import Forbidden, Unauthorized

REALM = 'Bearer realm="barrier-hub"'
# Tokens are only ever checked by the hub that signed them; this covers clock skew between
# API processes on different hosts.
CLOCK_LEEWAY = 30
_TOKEN_TYPES = {"at+jwt", "application/at+jwt"}  # RFC 9068 §2.1
_STRING_CLAIMS = ("iss", "sub", "client_id", "agency", "scope", "jti")
# Verified tokens remembered per process (a few KB each).
VERIFIED_CACHE = 4096

oauth2_scheme = OAuth2(
    flows=OAuthFlows(clientCredentials={"tokenUrl": "/oauth/token", "scopes": SCOPES}),
    scheme_name="oauth2",
    auto_error=False,
)


class TokenVerifier:
    """Verifies access tokens against the hub's published signing keys."""

    def __init__(self, signing_keys: SigningKeys, *, settings: Settings) -> None:
        self._keys = signing_keys
        self._claims = jwt.JWTClaimsRegistry(
            leeway=CLOCK_LEEWAY,
            iss={"essential": True, "value": settings.issuer},
            aud={"essential": True, "value": settings.audience},
            **{
                name: {"essential": True}
                for name in ("sub", "client_id", "agency", "exp", "iat", "jti")
            },
            scope={"essential": True, "allow_blank": True},
        )
        # Token -> (kid, claims) of signatures verified before, while their key is published:
        # verifying an RS256 signature was the largest share of a single POST's own work.
        self._verified: dict[str, tuple[str, dict[str, Any]]] = {}

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a valid access token; Unauthorized for anything else."""
        published = self._keys.published()
        seen = self._verified.get(token)
        if seen is not None and any(k.kid == seen[0] for k in published):
            # The signature over these exact bytes was checked; the claims are checked anew.
            claims = dict(seen[1])
        else:
            claims = self._verify_signature(token, published)
        try:
            self._claims.validate(claims)
        except ExpiredTokenError as exc:
            raise _invalid("The access token has expired.") from exc
        except JoseError as exc:
            raise _invalid("The access token is not valid for this API.") from exc
        if any(not isinstance(claims[name], str) for name in _STRING_CLAIMS):
            raise _invalid("The access token is not valid for this API.")
        return claims

    def _verify_signature(self, token: str, published: list[StoredKey]) -> dict[str, Any]:
        try:
            # Pinning RS256 refuses `alg: none` and HS256 "signed" with our public key.
            keyset = KeySet([k.public for k in published])
            decoded = jwt.decode(token, keyset, algorithms=[ALGORITHM])
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise _invalid("The access token is malformed or its signature is invalid.") from exc
        token_type = str(decoded.header.get("typ", "")).lower()
        kid = decoded.header.get("kid")
        if not kid or token_type not in _TOKEN_TYPES:
            raise _invalid("The token is not an access token of this hub.")
        if len(self._verified) >= VERIFIED_CACHE:
            # Oldest first (dicts keep insertion order); a client reuses its token for minutes.
            self._verified.pop(next(iter(self._verified)), None)
        self._verified[token] = (str(kid), dict(decoded.claims))
        return dict(decoded.claims)


async def authenticate(
    request: Request,
    security_scopes: SecurityScopes,
    authorization: Annotated[str | None, Depends(oauth2_scheme)],
) -> Caller:
    """The caller behind the bearer token, which must carry every scope the route needs.

    Async: verifying a signature is short CPU work, cheaper on the loop than a thread hop.
    """
    if "access_token" in request.query_params:
        # RFC 6750 §2.3 allows it, but URLs end up in logs and proxies: refused outright.
        raise Unauthorized(
            "Send the access token in the Authorization header, never in the URL.",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_request"'},
        )
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(
            "This request needs an access token: Authorization: Bearer <token>.",
            headers={"WWW-Authenticate": REALM},
        )
    claims = request.app.state.tokens.verify(token)
    await _check_client(request, claims)
    scopes = frozenset(claims["scope"].split())
    needed = security_scopes.scopes
    if not set(needed) <= scopes:
        raise Forbidden(
            f"This request needs the scope(s): {' '.join(needed)}.",
            headers={
                "WWW-Authenticate": f'{REALM}, error="insufficient_scope", '
                f'scope="{" ".join(needed)}"'
            },
        )
    agency_id = _agency_ids.cached(request.app.state.sessions, claims["agency"])
    if agency_id is None:
        agency_id = await run_in_threadpool(
            _agency_ids.get, request.app.state.sessions, claims["agency"]
        )
    if agency_id is None:
        raise _invalid("The access token names an agency this hub does not know.")
    return Caller(
        agency_id=agency_id,
        agency_code=claims["agency"],
        client_id=claims["client_id"],
        scopes=scopes,
        token_id=claims["jti"],
    )


async def _check_client(request: Request, claims: dict[str, Any]) -> None:
    """Refuse the token of a disabled or deleted client, or one issued before a disable."""
    states: ClientStates = request.app.state.client_states
    sessions = request.app.state.sessions
    hit, valid_from = states.cached(sessions, claims["client_id"])
    if not hit:
        valid_from = await run_in_threadpool(states.load, sessions, claims["client_id"])
    if not accepts(valid_from, claims["iat"]):
        raise _invalid("The access token's client has been disabled or removed.")


def _invalid(detail: str) -> Unauthorized:
    return Unauthorized(detail, headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'})


class _AgencyIds:
    """Agency code → id, per database; ids never change, so a hit never goes stale."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_db: weakref.WeakKeyDictionary[sessionmaker[Session], dict[str, int]] = (
            weakref.WeakKeyDictionary()
        )

    def cached(self, sessions: sessionmaker[Session], code: str) -> int | None:
        with self._lock:
            return self._by_db.get(sessions, {}).get(code)

    def get(self, sessions: sessionmaker[Session], code: str) -> int | None:
        with self._lock:
            cached = self._by_db.setdefault(sessions, {})
            if code in cached:
                return cached[code]
        with sessions() as session:
            agency = agencies.by_code(session, code)
            agency_id = agency.id if agency is not None else None
        if agency_id is not None:  # misses are not cached: the agency may be added later
            with self._lock:
                cached[code] = agency_id
        return agency_id


_agency_ids = _AgencyIds()
