"""POST /oauth/token: client authentication (RFC 7523 and secrets), scopes, the token itself."""

import hashlib
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from hub.auth.clients import verify_secret
from hub.auth.models import OAuthClient, UsedAssertion
from hub.auth.scopes import SCOPES
from hub.auth.server import PrivateKeyJWTAuth
from hub.config import Settings
from tests.auth.helpers import FORM, register, unverified, verify_like_a_client
from tests.conftest import LiveServer

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.fixture(scope="module")
def client_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"use": "sig"}, private=True, auto_kid=True)


@pytest.fixture
def jwt_client(sessions: sessionmaker[Session], client_key: RSAKey) -> str:
    """A client that has only a public JWK (no secret): private_key_jwt."""
    client_id, secret, _ = register(
        sessions,
        scopes="signals:read lookups",
        public_jwks={"keys": [dict(client_key.as_dict(private=False))]},
        with_secret=False,
    )
    assert secret is None
    return client_id


def assertion_form(client_id: str, key: RSAKey, audience: str, **kwargs: object) -> dict[str, str]:
    assertion = private_key_jwt_sign(key, client_id=client_id, token_endpoint=audience, **kwargs)
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
    }


def assert_invalid_client(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"
    assert response.headers["WWW-Authenticate"].startswith("Basic realm=")
    assert response.headers["Cache-Control"] == "no-store"


def test_authlib_private_key_jwt_client_gets_a_token_that_the_api_accepts(
    server: LiveServer, settings: Settings, jwt_client: str, client_key: RSAKey
) -> None:
    sent: list[httpx.Request] = []
    with OAuth2Client(
        jwt_client,
        client_key,
        token_endpoint_auth_method=PrivateKeyJWT(settings.token_endpoint),
        scope="lookups",
        event_hooks={"request": [sent.append]},
    ) as oauth:
        token = oauth.fetch_token(settings.token_endpoint, grant_type="client_credentials")
        agencies = oauth.get(f"{server.url}/api/v1/agencies")

    assert token["token_type"] == "Bearer"
    assert token["scope"] == "lookups"
    assert "refresh_token" not in token
    assert agencies.status_code == 200, agencies.text
    assert sent[-1].headers["Authorization"] == f"Bearer {token['access_token']}"

    # The very same assertion, sent again by someone who captured it, is refused.
    replay = httpx.post(settings.token_endpoint, content=sent[0].content, headers=FORM)
    assert b"client_assertion=" in sent[0].content
    assert_invalid_client(replay)


def test_assertion_audience_may_be_the_issuer(
    api: httpx.Client, settings: Settings, jwt_client: str, client_key: RSAKey
) -> None:
    response = api.post(
        "/oauth/token", data=assertion_form(jwt_client, client_key, settings.issuer)
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "case",
    ["wrong audience", "foreign key", "expired", "no jti", "far future", "other client's key"],
)
def test_bad_client_assertions_are_refused(
    api: httpx.Client,
    sessions: sessionmaker[Session],
    settings: Settings,
    jwt_client: str,
    client_key: RSAKey,
    case: str,
) -> None:
    key, audience, kwargs, client_id = client_key, settings.token_endpoint, {}, jwt_client
    now = int(time.time())
    if case == "wrong audience":
        audience = "https://elsewhere.example/oauth/token"
    elif case == "foreign key":
        key = RSAKey.generate_key(2048, private=True, auto_kid=True)
    elif case == "expired":
        kwargs = {"issued_at": now - 600, "expires_at": now - 300}
    elif case == "far future":
        kwargs = {"expires_at": now + 30 * 24 * 3600}
    elif case == "other client's key":
        client_id = register(
            sessions,
            scopes="lookups",
            public_jwks={"keys": [dict(RSAKey.generate_key(2048).as_dict())]},
            with_secret=False,
        )[0]
    form = assertion_form(client_id, key, audience, **kwargs)
    if case == "no jti":
        claims = {"iss": client_id, "sub": client_id, "aud": audience, "iat": now, "exp": now + 60}
        form["client_assertion"] = jwt.encode({"alg": "RS256"}, claims, key)
    assert_invalid_client(api.post("/oauth/token", data=form))


def test_client_secret_basic_and_post_both_work(
    api: httpx.Client, sessions: sessionmaker[Session]
) -> None:
    client_id, secret, _ = register(sessions, scopes="lookups")
    assert secret is not None
    basic = api.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    post = api.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert basic.status_code == 200, basic.text
    assert post.status_code == 200, post.text
    assert basic.json()["access_token"] != post.json()["access_token"]


@pytest.mark.parametrize("how", ["basic", "post"])
def test_wrong_secret_is_401_invalid_client(
    api: httpx.Client, sessions: sessionmaker[Session], how: str
) -> None:
    client_id, secret, _ = register(sessions, scopes="lookups")
    wrong = (secret or "")[:-2] + "xx"
    if how == "basic":
        response = api.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, wrong)
        )
    else:
        response = api.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": wrong,
            },
        )
    assert_invalid_client(response)
    assert wrong not in response.text


def test_unknown_and_disabled_clients_do_not_exist(
    api: httpx.Client, sessions: sessionmaker[Session]
) -> None:
    client_id, secret, _ = register(sessions, scopes="lookups")
    assert secret is not None
    form = {"grant_type": "client_credentials"}
    assert api.post("/oauth/token", data=form, auth=(client_id, secret)).status_code == 200
    with sessions() as session, session.begin():
        session.execute(
            update(OAuthClient)
            .where(OAuthClient.client_id == client_id)
            .values(disabled_at=OAuthClient.created_at)
        )
    assert_invalid_client(api.post("/oauth/token", data=form, auth=(client_id, secret)))
    assert_invalid_client(api.post("/oauth/token", data=form, auth=("nobody-123", secret)))


def test_a_secret_client_cannot_use_an_assertion_and_vice_versa(
    api: httpx.Client,
    sessions: sessionmaker[Session],
    settings: Settings,
    jwt_client: str,
    client_key: RSAKey,
) -> None:
    # The JWT-only client has no secret, so no secret can ever match.
    response = api.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(jwt_client, "guess")
    )
    assert_invalid_client(response)
    # A secret-only client has no registered key, so no assertion can ever verify.
    secret_client = register(sessions, scopes="lookups")[0]
    form = assertion_form(secret_client, client_key, settings.token_endpoint)
    assert_invalid_client(api.post("/oauth/token", data=form))


@pytest.mark.parametrize("scope", ["nonsense", "signals:read nonsense", "audit:read"])
def test_unknown_or_ungranted_scope_is_400_invalid_scope(
    api: httpx.Client, sessions: sessionmaker[Session], scope: str
) -> None:
    client_id, secret, _ = register(sessions, scopes="signals:read lookups")
    assert secret is not None
    response = api.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": scope},
        auth=(client_id, secret),
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_scope"


def test_no_scope_requested_grants_all_of_the_clients_scopes(
    api: httpx.Client, sessions: sessionmaker[Session]
) -> None:
    client_id, secret, _ = register(sessions, scopes="signals:read lookups")
    assert secret is not None
    response = api.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert response.status_code == 200, response.text
    assert set(response.json()["scope"].split()) == {"signals:read", "lookups"}
    _, claims = unverified(response.json()["access_token"])
    assert set(claims["scope"].split()) == {"signals:read", "lookups"}


def test_token_claims_header_and_response(
    api: httpx.Client, sessions: sessionmaker[Session], settings: Settings
) -> None:
    client_id, secret, code = register(sessions, scopes="signals:read signals:write")
    assert secret is not None
    response = api.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "signals:read"},
        auth=(client_id, secret),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}  # no refresh
    assert body["expires_in"] == settings.token_lifetime
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"

    token = verify_like_a_client(api, body["access_token"])
    claims = token.claims
    assert token.header["alg"] == "RS256"
    assert token.header["typ"] == "at+jwt"
    jwks_kids = {k["kid"] for k in api.get("/.well-known/jwks.json").json()["keys"]}
    assert token.header["kid"] in jwks_kids
    assert claims["iss"] == settings.issuer
    assert claims["aud"] == settings.audience
    assert claims["sub"] == claims["client_id"] == client_id
    assert claims["agency"] == code
    assert claims["scope"] == "signals:read"
    assert claims["exp"] - claims["iat"] == settings.token_lifetime
    assert abs(claims["iat"] - time.time()) < 30
    assert len(claims["jti"]) >= 16

    again = api.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    ).json()["access_token"]
    assert unverified(again)[1]["jti"] != claims["jti"]


def test_other_grant_types_and_bodies_are_refused(
    api: httpx.Client, sessions: sessionmaker[Session]
) -> None:
    client_id, secret, _ = register(sessions, scopes="lookups")
    assert secret is not None
    password = api.post(
        "/oauth/token",
        auth=(client_id, secret),
        data={"grant_type": "password", "username": "a", "password": "b"},
    )
    assert password.status_code == 400
    assert password.json()["error"] == "unsupported_grant_type"
    as_json = api.post(
        "/oauth/token", auth=(client_id, secret), json={"grant_type": "client_credentials"}
    )
    assert as_json.status_code == 400
    assert as_json.json()["error"] == "invalid_request"
    repeated = api.post(
        "/oauth/token",
        auth=(client_id, secret),
        headers=FORM,
        content="grant_type=client_credentials&scope=lookups&scope=admin",
    )
    assert repeated.status_code == 400
    assert repeated.json()["error"] == "invalid_request"
    assert api.get("/oauth/token").status_code == 405


def test_secrets_are_stored_hashed(sessions: sessionmaker[Session]) -> None:
    client_id, secret, _ = register(sessions, scopes="lookups")
    assert secret is not None and len(secret) >= 43  # 32 random bytes, url-safe
    with sessions() as session:
        row = session.scalars(select(OAuthClient).where(OAuthClient.client_id == client_id)).one()
        stored = [str(getattr(row, c.key)) for c in OAuthClient.__table__.columns]
    assert not any(secret in value for value in stored)
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.auth_method == "client_secret_basic"
    assert verify_secret(row, secret)
    assert not verify_secret(row, secret + "x")


def test_metadata_describes_the_server(api: httpx.Client, settings: Settings) -> None:
    response = api.get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    meta = response.json()
    assert meta["issuer"] == settings.issuer
    assert meta["token_endpoint"] == settings.token_endpoint
    assert meta["jwks_uri"] == f"{settings.issuer}/.well-known/jwks.json"
    assert meta["grant_types_supported"] == ["client_credentials"]
    assert meta["token_endpoint_auth_methods_supported"][0] == "private_key_jwt"
    assert {"client_secret_basic", "client_secret_post"} <= set(
        meta["token_endpoint_auth_methods_supported"]
    )
    assert "RS256" in meta["token_endpoint_auth_signing_alg_values_supported"]
    assert "HS256" not in meta["token_endpoint_auth_signing_alg_values_supported"]
    assert set(meta["scopes_supported"]) == set(SCOPES)
    assert meta["response_types_supported"] == []


def test_jwks_publishes_public_rsa_keys_only(api: httpx.Client) -> None:
    response = api.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert keys
    for key in keys:
        assert key["kty"] == "RSA"
        assert key["kid"] and key["use"] == "sig" and key["alg"] == "RS256"
        assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys()
        assert RSAKey.import_key(key).raw_value.key_size >= 3072


def test_jti_of_an_assertion_is_per_client(
    api: httpx.Client, sessions: sessionmaker[Session], settings: Settings, client_key: RSAKey
) -> None:
    """Two clients may happen to pick the same jti; only a reuse by the same client is a replay."""
    jwks = {"keys": [dict(client_key.as_dict(private=False))]}
    first = register(sessions, scopes="lookups", public_jwks=jwks, with_secret=False)[0]
    second = register(sessions, scopes="lookups", public_jwks=jwks, with_secret=False)[0]
    jti = uuid.uuid4().hex
    for client_id in (first, second):
        form = assertion_form(client_id, client_key, settings.token_endpoint, claims={"jti": jti})
        assert api.post("/oauth/token", data=form).status_code == 200


def test_used_assertions_are_remembered_per_client_and_expired_ones_purged(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    old_jti, client_id = uuid.uuid4().hex, f"purge-{uuid.uuid4().hex[:8]}"
    with sessions() as session, session.begin():
        session.add(
            UsedAssertion(
                client_id=client_id,
                jti=old_jti,
                expires_at=datetime.now(UTC) - timedelta(minutes=5),
            )
        )
    auth = PrivateKeyJWTAuth(audiences=[settings.token_endpoint], sessions=sessions)
    claims = {"sub": client_id, "exp": int(time.time()) + 60}
    jti = uuid.uuid4().hex
    assert auth.validate_jti(claims, jti)
    assert not auth.validate_jti(claims, jti)
    assert not auth.validate_jti(claims, "x" * 256)  # longer than the column: never accepted
    with sessions() as session:
        left = set(
            session.scalars(select(UsedAssertion.jti).where(UsedAssertion.client_id == client_id))
        )
    assert left == {jti}
