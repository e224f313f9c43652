"""Forged posts: no token, a wrong token or a foreign Origin is a 403, on every UI route."""

import re
import uuid

import httpx
import pytest
from fastapi.routing import APIRoute

from tests.ui.helpers import hidden_token, meta_token, ui_app


def _token(client: httpx.Client) -> str:
    return meta_token(client.get("/ui/_probe/page").text)


def test_a_post_needs_the_sessions_token_as_field_or_header(signed_in) -> None:
    token = _token(signed_in)
    missing = signed_in.post("/ui/_probe", data={"x": "1"})
    assert missing.status_code == 403
    assert missing.headers["content-type"].startswith("text/html")
    assert "out of date or did not come from the hub" in missing.text
    assert signed_in.post("/ui/_probe", data={"csrf_token": token[:-1] + "x"}).status_code == 403
    assert signed_in.post("/ui/_probe", headers={"X-CSRF-Token": "nope"}).status_code == 403
    assert signed_in.post("/ui/_probe", json={"csrf_token": token}).status_code == 403
    assert signed_in.post("/ui/_probe", data={"csrf_token": token}).status_code == 200
    assert signed_in.post("/ui/_probe", headers={"X-CSRF-Token": token}).status_code == 200


def test_another_sessions_token_does_not_do(signed_in, hub, sessions) -> None:
    from tests.ui.helpers import new_account, signed_in_client

    other = signed_in_client(hub.url, new_account(sessions))
    try:
        response = signed_in.post("/ui/_probe", data={"csrf_token": _token(other)})
    finally:
        other.close()
    assert response.status_code == 403


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1:1"])
def test_a_post_from_a_foreign_origin_is_refused_even_with_the_token(signed_in, origin) -> None:
    token = _token(signed_in)
    response = signed_in.post("/ui/_probe", data={"csrf_token": token}, headers={"Origin": origin})
    assert response.status_code == 403 and "another site" in response.text


def test_a_post_from_the_hubs_own_origin_passes(signed_in, hub) -> None:
    token = _token(signed_in)
    response = signed_in.post("/ui/_probe", data={"csrf_token": token}, headers={"Origin": hub.url})
    assert response.status_code == 200


def test_the_login_form_is_protected_before_there_is_a_session(hub, account) -> None:
    fields = {"username": account.username, "password": account.password}
    with httpx.Client(base_url=hub.url) as fresh:
        # No login cookie: a form another site makes the browser post.
        assert fresh.post("/ui/login", data=fields | {"csrf_token": "guess"}).status_code == 403
        token = hidden_token(fresh.get("/ui/login").text)
        assert fresh.post("/ui/login", data=fields | {"csrf_token": "guess"}).status_code == 403
        assert fresh.post("/ui/login", data=fields).status_code == 403
        assert fresh.post("/ui/login", data=fields | {"csrf_token": token}).status_code == 303


def test_sign_out_without_the_token_keeps_the_session(signed_in) -> None:
    assert signed_in.post("/ui/logout").status_code == 403
    assert signed_in.get("/ui/_probe").status_code == 200


def test_every_post_route_of_the_ui_refuses_a_missing_token(signed_in, hub) -> None:
    """Routes pages add later are covered too: the guard sits on the whole UI app."""
    checked = []
    for route in _routes(ui_app(hub.app).routes):
        if "POST" not in route.methods:
            continue
        path = "/ui" + re.sub(r"\{[^}]+\}", str(uuid.uuid4()), route.path)
        response = signed_in.post(path, data={"x": "1"})
        assert response.status_code == 403, path
        checked.append(route.path)
    assert {"/login", "/logout", "/_probe"} <= set(checked)


def _routes(routes: list) -> list[APIRoute]:  # type: ignore[type-arg]
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _routes(route.original_router.routes)
    return found


@pytest.mark.parametrize(
    ("issuer", "origin"),
    [
        ("https://Hub.example.nl:443", "https://hub.example.nl"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://[::1]:8080", "http://[::1]:8080"),
    ],
)
def test_the_hubs_origin_is_spelled_as_browsers_send_it(issuer: str, origin: str) -> None:
    from hub.config import Settings
    from hub.ui.csrf import own_origin

    assert own_origin(Settings(issuer=issuer)) == origin
