"""Bearer tokens on the API: every way a token can be wrong is a 401 problem with a challenge."""

import hashlib
import hmac
import time
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI, Security
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from hub.auth.caller import Caller
from hub.auth.tokens import authenticate
from hub.config import Settings
from hub.errors import install_handlers
from tests.auth.helpers import b64url, good_claims, published_keys
from tests.conftest import LiveServer
from tests.factories import Partner, PartnerFactory

AGENCIES = "/api/v1/agencies"


@pytest.fixture
def partner(partners: PartnerFactory) -> Partner:
    return partners.new(kind="ind", scopes="lookups")


def claims_of(settings: Settings, partner: Partner, **overrides: Any) -> dict[str, Any]:
    mine = {"sub": partner.client_id, "client_id": partner.client_id, "agency": partner.code}
    return good_claims(settings, **(mine | overrides))


def sign_with_hub_key(server: LiveServer, claims: dict[str, Any], **header: Any) -> str:
    """A token signed by the hub's real key (as a leaked-token or clock test needs)."""
    key = server.app.state.signing_keys.active()
    return jwt.encode({"alg": "RS256", "typ": "at+jwt", "kid": key.kid} | header, claims, key)


def assert_401(response: httpx.Response, *, error: str | None, token: str | None = None) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 401 and problem["title"] and problem["detail"]
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="barrier-hub"')
    if error is None:
        assert "error=" not in challenge
    else:
        assert f'error="{error}"' in challenge
    if token:
        assert token not in response.text and token[-20:] not in response.text
        assert token not in challenge


def test_a_hand_made_token_with_correct_claims_is_accepted(
    api: httpx.Client, server: LiveServer, settings: Settings, partner: Partner
) -> None:
    """The control for the cases below: the forging helper itself makes acceptable tokens."""
    token = sign_with_hub_key(server, claims_of(settings, partner))
    response = api.get(AGENCIES, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    lower = api.get(AGENCIES, headers={"Authorization": f"bearer {token}"})
    assert lower.status_code == 200  # the auth scheme is case-insensitive (RFC 9110)


def test_missing_token(api: httpx.Client) -> None:
    assert_401(api.get(AGENCIES), error=None)


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Token abc",
        "Bearer not-a-jwt",
        "Bearer a.b.c",
        "Bearer eyJhbGciOiJSUzI1NiJ9.e30",
    ],
)
def test_malformed_authorization(api: httpx.Client, authorization: str) -> None:
    response = api.get(AGENCIES, headers={"Authorization": authorization})
    has_token = authorization.startswith("Bearer ") and authorization.strip() != "Bearer"
    assert_401(response, error="invalid_token" if has_token else None)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param(
            {"iat": int(time.time()) - 4000, "exp": int(time.time()) - 3000}, id="expired"
        ),
        pytest.param({"aud": "some-other-api"}, id="wrong-aud"),
        pytest.param({"iss": "https://evil.example"}, id="wrong-iss"),
        pytest.param({"nbf": int(time.time()) + 3600}, id="not-yet-valid"),
        pytest.param({"iat": int(time.time()) + 3600}, id="issued-in-the-future"),
        pytest.param({"exp": None}, id="no-exp"),
        pytest.param({"jti": None}, id="no-jti"),
        pytest.param({"agency": None}, id="no-agency"),
        pytest.param({"scope": None}, id="no-scope"),
        pytest.param({"agency": "NOSUCHAGENCY"}, id="unknown-agency"),
    ],
)
def test_tokens_with_wrong_claims_are_refused(
    api: httpx.Client,
    server: LiveServer,
    settings: Settings,
    partner: Partner,
    overrides: dict[str, Any],
) -> None:
    token = sign_with_hub_key(server, claims_of(settings, partner, **overrides))
    response = api.get(AGENCIES, headers={"Authorization": f"Bearer {token}"})
    assert_401(response, error="invalid_token", token=token)


def test_token_of_another_type_is_refused(
    api: httpx.Client, server: LiveServer, settings: Settings, partner: Partner
) -> None:
    token = sign_with_hub_key(server, claims_of(settings, partner), typ="JWT")
    assert_401(
        api.get(AGENCIES, headers={"Authorization": f"Bearer {token}"}),
        error="invalid_token",
        token=token,
    )


@pytest.mark.parametrize("kid", ["hub", "own"])
def test_token_signed_by_a_foreign_key_is_refused(
    api: httpx.Client, settings: Settings, partner: Partner, kid: str
) -> None:
    foreign = RSAKey.generate_key(2048, private=True, auto_kid=True)
    hub_kid = next(iter(published_keys(api))).kid
    header = {"alg": "RS256", "typ": "at+jwt", "kid": hub_kid if kid == "hub" else foreign.kid}
    token = jwt.encode(header, claims_of(settings, partner), foreign)
    assert_401(
        api.get(AGENCIES, headers={"Authorization": f"Bearer {token}"}),
        error="invalid_token",
        token=token,
    )


def test_alg_none_is_refused(api: httpx.Client, settings: Settings, partner: Partner) -> None:
    hub_kid = next(iter(published_keys(api))).kid
    header = {"alg": "none", "typ": "at+jwt", "kid": hub_kid}
    token = f"{b64url(header)}.{b64url(claims_of(settings, partner))}."
    assert_401(
        api.get(AGENCIES, headers={"Authorization": f"Bearer {token}"}),
        error="invalid_token",
        token=token,
    )


@pytest.mark.parametrize("encoding", ["pem", "der"])
def test_hs256_signed_with_the_public_key_is_refused(
    api: httpx.Client, settings: Settings, partner: Partner, encoding: str
) -> None:
    """The algorithm-confusion attack: an HMAC keyed with the hub's (public) RSA key."""
    public = next(iter(published_keys(api)))
    raw = public.raw_value
    secret = (
        raw.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if encoding == "pem"
        else raw.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    )
    header = {"alg": "HS256", "typ": "at+jwt", "kid": public.kid}
    signing_input = f"{b64url(header)}.{b64url(claims_of(settings, partner))}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{b64url(mac)}"
    assert_401(
        api.get(AGENCIES, headers={"Authorization": f"Bearer {token}"}),
        error="invalid_token",
        token=token,
    )


def test_token_in_the_query_string_is_refused(api: httpx.Client, partner: Partner) -> None:
    only_query = api.get(AGENCIES, params={"access_token": partner.token})
    assert_401(only_query, error="invalid_request", token=partner.token)
    # Even alongside a valid header: the token has already leaked into a URL.
    both = api.get(AGENCIES, params={"access_token": partner.token}, headers=partner.headers)
    assert_401(both, error="invalid_request", token=partner.token)
    assert api.get(AGENCIES, headers=partner.headers).status_code == 200


def test_token_lacking_the_needed_scope_is_403(api: httpx.Client, partners: PartnerFactory) -> None:
    lookups_only = partners.new(kind="ind", scopes="lookups")
    response = api.get("/api/v1/signals", headers=lookups_only.reader)
    assert response.status_code == 403, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 403
    challenge = response.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="signals:read"' in challenge
    signals_reader = partners.new(kind="ind", scopes="signals:read")
    assert api.get("/api/v1/signals", headers=signals_reader.reader).status_code == 200


def test_authenticate_checks_every_needed_scope_and_builds_the_caller(
    server: LiveServer, partners: PartnerFactory
) -> None:
    """authenticate() on a route of our own, so that this holds whatever routes exist."""
    app = FastAPI()
    install_handlers(app)
    app.state.tokens = server.app.state.tokens
    app.state.sessions = server.app.state.sessions
    app.state.client_states = server.app.state.client_states

    @app.get("/both")
    def both(
        caller: Caller = Security(authenticate, scopes=["audit:read", "reports:read"]),
    ) -> dict:
        return {
            "agency_id": caller.agency_id,
            "code": caller.agency_code,
            "client": caller.client_id,
            "scopes": sorted(caller.scopes),
            "jti": caller.token_id,
        }

    one = partners.new(kind="riec", scopes="audit:read")
    two = partners.new(kind="riec", scopes="audit:read reports:read")
    with TestClient(app) as client:
        refused = client.get("/both", headers=one.headers)
        accepted = client.get("/both", headers=two.headers)
    assert refused.status_code == 403
    assert 'scope="audit:read reports:read"' in refused.headers["WWW-Authenticate"]
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["agency_id"] == two.agency_id
    assert body["code"] == two.code
    assert body["client"] == two.client_id
    assert body["scopes"] == ["audit:read", "reports:read"]
    assert body["jti"]
