"""Registering clients: scopes, secrets, and public JWK sets that must really be public."""

from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import ECKey, OctKey, RSAKey
from sqlalchemy.orm import Session, sessionmaker

from hub.agencies.models import Agency
from hub.agencies.schemas import AgencyCreate
from hub.agencies.service import add_agency
from hub.auth.clients import create_client, verify_secret


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is rolled back at the end."""
    with sessions() as session:
        session.begin()
        yield session
        session.rollback()


@pytest.fixture
def agency(session: Session) -> Agency:
    return add_agency(session, AgencyCreate(code="RIEC-XX", name="Test RIEC", kind="riec"))


def public(key: Any) -> dict[str, Any]:
    return {"keys": [dict(key.as_dict(private=False))]}


def test_a_secret_client(session: Session, agency: Agency) -> None:
    client, secret = create_client(
        session, agency=agency, scopes=frozenset({"lookups"}), name="demo"
    )
    assert secret is not None
    assert client.client_id.startswith("riec-xx-") and len(client.client_id) <= 64
    assert client.auth_method == "client_secret_basic"
    assert client.jwks is None
    assert client.scopes == "lookups"
    assert verify_secret(client, secret) and not verify_secret(client, secret.upper())


@pytest.mark.parametrize(
    "key",
    [
        RSAKey.generate_key(2048, auto_kid=True),
        ECKey.generate_key("P-256", auto_kid=True),
    ],
)
def test_a_jwt_client_stores_its_public_keys_with_kids(
    session: Session, agency: Agency, key: Any
) -> None:
    jwks = public(key)
    jwks["keys"][0].pop("kid")  # a kid is added (RFC 7638 thumbprint) when the set has none
    client, secret = create_client(
        session,
        agency=agency,
        scopes=frozenset({"lookups"}),
        name="jwt",
        public_jwks=jwks,
        with_secret=False,
    )
    assert secret is None and client.secret_hash is None
    assert client.auth_method == "private_key_jwt"
    assert client.jwks is not None and client.jwks["keys"][0]["kid"] == key.thumbprint()
    assert not verify_secret(client, "")


@pytest.mark.filterwarnings("ignore:Key size should be")
def test_private_and_unusable_key_sets_are_refused(session: Session, agency: Agency) -> None:
    rsa_private = RSAKey.generate_key(2048)
    # Too small on purpose: the hub must refuse it.
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    small = RSAKey.import_key(weak.public_key())
    bad: list[Any] = [
        {"keys": [dict(rsa_private.as_dict(private=True))]},
        {"keys": [dict(ECKey.generate_key("P-256").as_dict(private=True))]},
        {"keys": [dict(OctKey.generate_key(256).as_dict(private=True))]},
        public(small),
        {"keys": [dict(rsa_private.as_dict(private=False)) | {"use": "enc"}]},
        {"keys": [{"kty": "RSA", "n": "AQAB"}]},
        {"keys": [{"kty": "XYZ"}]},
        {"keys": []},
        {"not": "a key set"},
        [dict(rsa_private.as_dict(private=False))],
    ]
    for jwks in bad:
        with pytest.raises(ValueError):
            create_client(
                session,
                agency=agency,
                scopes=frozenset({"lookups"}),
                name="x",
                public_jwks=jwks,
                with_secret=False,
            )


def test_unknown_scope_and_no_credential_are_refused(session: Session, agency: Agency) -> None:
    with pytest.raises(ValueError, match="unknown scope"):
        create_client(session, agency=agency, scopes=frozenset({"everything"}), name="x")
    with pytest.raises(ValueError, match="secret or a public JWK"):
        create_client(
            session, agency=agency, scopes=frozenset({"lookups"}), name="x", with_secret=False
        )
