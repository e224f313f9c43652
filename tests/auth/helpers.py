"""Helpers of the auth tests: register clients directly, forge tokens as an attacker would."""

import base64
import json
import time
import uuid
from typing import Any

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy.orm import Session, sessionmaker

from hub.agencies.schemas import AgencyCreate
from hub.agencies.service import add_agency
from hub.auth.clients import create_client
from hub.config import Settings

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def register(
    sessions: sessionmaker[Session],
    *,
    scopes: str,
    public_jwks: dict[str, Any] | None = None,
    with_secret: bool = True,
) -> tuple[str, str | None, str]:
    """A new agency with one client: (client_id, secret, agency code)."""
    code = f"T{uuid.uuid4().hex[:10].upper()}"
    with sessions() as session, session.begin():
        agency = add_agency(session, AgencyCreate(code=code, name=f"Test {code}", kind="ind"))
        client, secret = create_client(
            session,
            agency=agency,
            scopes=frozenset(scopes.split()),
            name="auth test client",
            public_jwks=public_jwks,
            with_secret=with_secret,
        )
        return client.client_id, secret, code


def b64url(data: bytes | dict[str, Any]) -> str:
    raw = json.dumps(data).encode() if isinstance(data, dict) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a compact JWT, read without checking anything."""
    header, payload, _ = token.split(".")
    pad = lambda part: part + "=" * (-len(part) % 4)  # noqa: E731
    return (
        json.loads(base64.urlsafe_b64decode(pad(header))),
        json.loads(base64.urlsafe_b64decode(pad(payload))),
    )


def published_keys(api: httpx.Client) -> KeySet:
    return KeySet.import_key_set(api.get("/.well-known/jwks.json").json())


def verify_like_a_client(api: httpx.Client, token: str) -> jwt.Token:
    """Verify a hub token the way a partner would: with the published JWKS, RS256 only."""
    return jwt.decode(token, published_keys(api), algorithms=["RS256"])


def good_claims(settings: Settings, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.issuer,
        "aud": settings.audience,
        "sub": "forged-client",
        "client_id": "forged-client",
        "agency": "NOSUCHAGENCY",
        "scope": "signals:read",
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}
