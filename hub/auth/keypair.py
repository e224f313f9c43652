"""A partner's key pair for private_key_jwt: the private JWK it keeps, the JWKS the hub gets."""

from typing import Any, Literal

from joserfc.jwk import ECKey, RSAKey

KeyKind = Literal["rsa", "ec"]
# The algorithm each kind signs client assertions with (one the hub accepts).
ALGORITHMS: dict[str, str] = {"rsa": "RS256", "ec": "ES256"}


def make_key_pair(kind: KeyKind = "rsa") -> tuple[dict[str, Any], dict[str, Any]]:
    """A new signing key: (private JWK, public JWK set), both naming the same kid and alg."""
    if kind == "rsa":
        key: RSAKey | ECKey = RSAKey.generate_key(3072, auto_kid=True)
    elif kind == "ec":
        key = ECKey.generate_key("P-256", auto_kid=True)
    else:
        raise ValueError(f"unknown key kind {kind!r}; expected rsa or ec")
    extra = {"alg": ALGORITHMS[kind], "use": "sig"}
    private = {**key.as_dict(private=True), **extra}
    public = {**key.as_dict(private=False), **extra}
    return private, {"keys": [public]}
