"""Registering OAuth clients of partner agencies, and checking their secrets."""

import hashlib
import hmac
import secrets
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, RSAKey
from sqlalchemy.orm import Session

from hub.agencies.models import Agency
from hub.auth.models import OAuthClient
from hub.auth.scopes import SCOPES

# JWK members that only a private (or symmetric) key has; a registered key set must have none.
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_MIN_RSA_BITS = 2048


def create_client(
    session: Session,
    *,
    agency: Agency,
    scopes: frozenset[str],
    name: str,
    public_jwks: dict[str, Any] | None = None,
    with_secret: bool = True,
) -> tuple[OAuthClient, str | None]:
    """Register a client of `agency`; return it and its secret (shown once, stored hashed).

    A client with a public JWK set authenticates with private_key_jwt (the NL GOV profile's
    choice); one with a secret uses client_secret_basic or client_secret_post.
    """
    unknown = scopes - SCOPES.keys()
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(sorted(unknown))}")
    if public_jwks is None and not with_secret:
        raise ValueError("a client needs a secret or a public JWK set to authenticate with")
    jwks = public_key_set(public_jwks) if public_jwks is not None else None
    secret = secrets.token_urlsafe(32) if with_secret else None
    client = OAuthClient(
        client_id=f"{agency.code.lower()}-{secrets.token_hex(8)}",
        agency_id=agency.id,
        name=name,
        scopes=" ".join(sorted(scopes)),
        secret_hash=_digest(secret) if secret is not None else None,
        jwks=jwks,
        auth_method="private_key_jwt"
        if jwks is not None and secret is None
        else "client_secret_basic",
    )
    session.add(client)
    session.flush()
    return client, secret


def verify_secret(client: OAuthClient, secret: str) -> bool:
    """Whether `secret` is this client's secret (constant-time)."""
    return secret_matches(client.secret_hash, secret)


def secret_matches(secret_hash: str | None, secret: str) -> bool:
    # A plain SHA-256 suffices: the secret is 256 random bits, so there is nothing to brute-force,
    # and a slow password hash would add a quarter second to every token request.
    if secret_hash is None:
        return False
    return hmac.compare_digest(_digest(secret), secret_hash)


def public_key_set(jwks: Any) -> dict[str, Any]:
    """`jwks` checked to be a JWK set of public signing keys, normalised (each with a kid).

    Raises ValueError for anything else, in particular for a key with private parts: a client
    must never hand its private key to the hub.
    """
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list) or not jwks["keys"]:
        raise ValueError('a JWK set is an object with a non-empty "keys" array')
    for entry in jwks["keys"]:
        if not isinstance(entry, dict):
            raise ValueError("each key of a JWK set is an object")
        if _PRIVATE_MEMBERS & entry.keys():
            raise ValueError("the JWK set contains private key material; register public keys")
        if entry.get("use", "sig") != "sig":
            raise ValueError('a client key must be a signing key ("use": "sig")')
    try:
        keyset = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"not a valid JWK set: {exc}") from exc
    if len(keyset.keys) != len(jwks["keys"]):
        raise ValueError("the JWK set contains keys of an unsupported type")
    for key in keyset:
        if key.is_private:
            raise ValueError("the JWK set contains private key material; register public keys")
        if isinstance(key, RSAKey):
            if key.raw_value.key_size < _MIN_RSA_BITS:
                raise ValueError(f"RSA keys must have at least {_MIN_RSA_BITS} bits")
        elif not isinstance(key, ECKey):
            raise ValueError("client keys must be RSA or EC keys")
    return dict(keyset.as_dict(private=False))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
