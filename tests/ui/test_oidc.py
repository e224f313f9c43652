"""Single sign-on against a real (minimal) OpenID provider, walked like a browser over HTTP."""

import html
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from hub.config import Settings
from hub.db import migrate
from hub.ui.models import UISession, UIUser
from hub.ui.oidc import STATE_COOKIE
from hub.ui.sessions import COOKIE
from tests.conftest import LiveServer, free_port
from tests.ui.helpers import ENGLISH, add_probe, new_agency
from tests.ui.provider import CLIENT_ID, CLIENT_SECRET, MiniProvider


@pytest.fixture(scope="module")
def provider() -> Iterator[MiniProvider]:
    idp = MiniProvider()
    idp.start()
    yield idp
    idp.stop()


@pytest.fixture(scope="module")
def sso_hub(provider: MiniProvider, db_factory, tmp_path_factory) -> Iterator[LiveServer]:
    """A hub of its own (database and keys) with single sign-on at the mini provider."""
    db = db_factory("oidc")
    migrate(db.url)
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("oidc-data"),
        database_url=db.url,
        issuer=f"http://127.0.0.1:{free_port()}",
        oidc_issuer=provider.url,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_provider_name="Test IdP",
    )
    live = LiveServer(settings)
    add_probe(live.app)
    live.start()
    yield live
    live.stop()


@pytest.fixture
def agency(sso_hub: LiveServer) -> str:
    return new_agency(sso_hub.app.state.sessions)[0]


@pytest.fixture
def client(sso_hub: LiveServer) -> Iterator[httpx.Client]:
    """A browser-like client: it keeps cookies and follows redirects, across both servers."""
    with httpx.Client(
        base_url=sso_hub.url, timeout=30, follow_redirects=True, headers=ENGLISH
    ) as browser:
        yield browser


def _walk(client: httpx.Client, next_url: str = "/ui/_probe") -> httpx.Response:
    """Follow the sign-on button through the provider and back."""
    login = client.get("/ui/login", params={"next": next_url})
    assert "Sign in with Test IdP" in login.text
    link = f'href="/ui/login/oidc?next={next_url}"'
    assert link in login.text, login.text
    return client.get("/ui/login/oidc", params={"next": next_url})


def _users(hub: LiveServer, external_id: str) -> list[UIUser]:
    with hub.app.state.sessions() as session:
        return list(session.scalars(select(UIUser).where(UIUser.external_id == external_id)))


def test_round_trip_signs_in_with_agency_and_role_from_the_claims(
    sso_hub, provider, agency, client
) -> None:
    sub = uuid.uuid4().hex
    provider.next_user = {
        "sub": sub,
        "preferred_username": f"Sanne-{sub[:6]}",
        "given_name": "Sanne",
        "family_name": "de  Wit",
        "hub_agency": agency,
        "hub_role": "analyst",
    }
    landed = _walk(client)
    assert landed.status_code == 200, landed.text
    assert landed.url.path == "/ui/login/oidc/callback"
    assert [r.status_code for r in landed.history] == [302, 302]  # hub -> provider -> hub
    # A page that moves on by itself: the Strict cookie rides on that fresh navigation.
    assert '<meta http-equiv="refresh" content="0;url=/ui/_probe">' in landed.text
    session_cookie = next(
        c for c in landed.headers.get_list("set-cookie") if c.startswith(COOKIE + "=")
    )
    assert "HttpOnly" in session_cookie and "SameSite=strict" in session_cookie
    who = client.get("/ui/_probe").json()
    assert who["username"] == f"sanne-{sub[:6]}" and who["agency_code"] == agency
    assert who["caller"]["scopes"] == ["proposals:review", "reports:read"]
    assert provider.seen[-1]["pkce"] and provider.seen[-1]["nonce"]
    [user] = _users(sso_hub, f"{provider.url}|{sub}")
    assert user.password_hash is None and user.role == "analyst"
    assert user.display_name == "Sanne de Wit"  # given + family name, as colleagues read it

    first = client.cookies[COOKIE]
    provider.next_user["hub_role"] = ["admin"]  # the provider's word wins at the next sign-in
    provider.next_user["name"] = "Sanne de Wit-Jansen\n"
    assert _walk(client).status_code == 200
    assert "admin" in client.get("/ui/_probe").json()["caller"]["scopes"]
    assert client.cookies[COOKIE] != first  # a new token, as at every sign-in
    [user] = _users(sso_hub, f"{provider.url}|{sub}")
    assert user.role == "admin" and user.display_name == "Sanne de Wit-Jansen"


def test_claims_only_in_userinfo_are_fetched_from_there(sso_hub, provider, agency, client) -> None:
    sub = uuid.uuid4().hex
    provider.next_user = {
        "sub": sub,
        "email": f"{sub[:8]}@riec.example",
        "hub_agency": agency,
        "hub_role": "analyst",
    }
    provider.claims_in = "userinfo"
    try:
        landed = _walk(client)
    finally:
        provider.claims_in = "id_token"
    assert landed.status_code == 200, landed.text
    assert client.get("/ui/_probe").json()["username"] == f"{sub[:8]}@riec.example"


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"hub_agency": "NO-SUCH-AGENCY", "hub_role": "analyst"}, "names agency 'NO-SUCH-AGENCY'"),
        ({"hub_role": "analyst"}, "names no agency (claim 'hub_agency')"),
        ({"hub_agency": "{agency}", "hub_role": "superuser"}, "names role 'superuser'"),
    ],
)
def test_unusable_claims_get_a_clear_page_and_no_session(
    sso_hub, provider, agency, client, claims, message
) -> None:
    sub = uuid.uuid4().hex
    claims = {k: v.replace("{agency}", agency) for k, v in claims.items()}
    provider.next_user = {"sub": sub, "preferred_username": f"u-{sub[:8]}"} | claims
    landed = _walk(client)
    assert landed.status_code == 403
    shown = html.unescape(landed.text)
    assert "You signed in, but" in shown and message in shown
    assert COOKIE not in client.cookies
    assert _users(sso_hub, f"{provider.url}|{sub}") == []


@pytest.mark.parametrize("tamper", ["nonce", "audience", "key"])
def test_a_forged_id_token_is_refused(sso_hub, provider, agency, client, tamper) -> None:
    sub = uuid.uuid4().hex
    provider.next_user = {"sub": sub, "hub_agency": agency, "hub_role": "admin"}
    provider.tamper = tamper
    try:
        landed = _walk(client)
    finally:
        provider.tamper = None
    assert landed.status_code == 400 and "could not be verified" in landed.text
    assert COOKIE not in client.cookies and _users(sso_hub, f"{provider.url}|{sub}") == []


def test_a_callback_without_the_browsers_state_is_refused(sso_hub) -> None:
    with httpx.Client(base_url=sso_hub.url, headers=ENGLISH) as stranger:
        response = stranger.get(
            "/ui/login/oidc/callback", params={"code": "stolen", "state": "guessed"}
        )
    assert response.status_code == 400 and "could not be verified" in response.text
    assert COOKIE not in response.headers.get("set-cookie", "")


def test_the_state_cookie_stays_on_the_sign_on_paths(sso_hub) -> None:
    with httpx.Client(base_url=sso_hub.url, headers=ENGLISH) as browser:
        started = browser.get("/ui/login/oidc")
        assert started.status_code == 302
        [cookie] = started.headers.get_list("set-cookie")
        assert cookie.startswith(STATE_COOKIE + "=")
        assert "path=/ui/login/oidc" in cookie.lower() and "samesite=lax" in cookie.lower()
        assert "set-cookie" not in browser.get("/ui/_probe").headers


def test_the_sign_on_session_is_stored_hashed(sso_hub, provider, agency, client) -> None:
    sub = uuid.uuid4().hex
    provider.next_user = {
        "sub": sub,
        "preferred_username": f"t-{sub[:8]}",
        "hub_agency": agency,
        "hub_role": "analyst",
    }
    _walk(client)
    [user] = _users(sso_hub, f"{provider.url}|{sub}")
    with sso_hub.app.state.sessions() as session:
        rows = session.scalars(select(UISession).where(UISession.user_id == user.id)).all()
    assert len(rows) == 1 and rows[0].token_hash != client.cookies[COOKIE]
