"""Signing in and out over real HTTP: cookies, one failure message, lock-out, expiry, rotation."""

import hashlib
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from hub.db import now
from hub.ui.models import UISession, UIUser
from hub.ui.sessions import COOKIE
from tests.ui.helpers import PASSWORD, alert, hidden_token, new_account, sign_in

HUB = Path(sys.executable).parent / "hub"


def _who(client: httpx.Client) -> httpx.Response:
    return client.get("/ui/_probe")


def test_sign_in_lands_where_asked_and_the_ui_home_is_the_queue(browser, account) -> None:
    response = sign_in(browser, account.username, account.password, next_url="/ui/")
    assert response.status_code == 303 and response.headers["location"] == "/ui/"
    home = browser.get("/ui/")
    assert home.status_code == 303 and home.headers["location"] == "/ui/proposals"
    who = _who(browser).json()
    assert (who["username"], who["agency_code"], who["role"]) == (
        account.username,
        account.agency_code,
        "analyst",
    )
    assert who["caller"] == {
        "agency_id": account.agency_id,
        "agency_code": account.agency_code,
        "client_id": f"ui:{account.username}",
        "scopes": ["proposals:review", "reports:read"],
        "token_id": str(who["session_id"]),
    }


def test_the_session_cookie_is_strict_http_only_and_stored_hashed(browser, account, sessions):
    response = sign_in(browser, account.username, account.password)
    [cookie] = [c for c in response.headers.get_list("set-cookie") if c.startswith(COOKIE + "=")]
    flags = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")[1:]}
    assert set(flags) == {"httponly", "path", "samesite"}  # no Secure on http, no Max-Age
    assert flags["path"].strip() == "Path=/ui" and flags["samesite"].strip() == "SameSite=strict"
    token = browser.cookies[COOKIE]
    with sessions() as session:
        stored = session.scalars(select(UISession.token_hash)).all()
    assert hashlib.sha256(token.encode()).hexdigest() in stored and token not in stored


def test_a_wrong_password_reads_exactly_like_an_unknown_user(browser, account, caplog) -> None:
    caplog.set_level(logging.INFO)
    secret_guess = "wrong-but-long-password"
    wrong = sign_in(browser, account.username, secret_guess)
    unknown = sign_in(browser, account.username + "x", secret_guess)
    assert wrong.status_code == unknown.status_code == 400
    assert alert(wrong.text) and alert(wrong.text) == alert(unknown.text)
    assert "password is not right" in alert(wrong.text)
    # Apart from the name typed in again, the two pages are the same page.
    assert wrong.text.replace(account.username, "") == unknown.text.replace(
        account.username + "x", ""
    )
    assert COOKIE not in browser.cookies
    refusals = [r.getMessage() for r in caplog.records if "sign-in refused" in r.getMessage()]
    assert len(refusals) == 2
    assert all(account.username not in m and secret_guess not in m for m in refusals)


def test_five_failures_lock_the_account_until_the_cli_unlocks_it(
    browser, account, sessions, settings
) -> None:
    for _ in range(5):
        assert sign_in(browser, account.username, "not the password!").status_code == 400
    locked = sign_in(browser, account.username, account.password)
    assert locked.status_code == 400 and "password is not right" in alert(locked.text)
    with sessions() as session:
        until = session.scalars(
            select(UIUser.locked_until).where(UIUser.username == account.username)
        ).one()
    assert until is not None
    assert timedelta(minutes=14) < until - now() <= timedelta(minutes=15)
    env = os.environ | {
        "HUB_DATABASE_URL": settings.sqlalchemy_url,
        "HUB_DATA_DIR": str(settings.data_dir),
    }
    result = subprocess.run(
        [str(HUB), "users", "unlock", account.username.upper()],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"unlocked {account.username}" in result.stdout
    assert sign_in(browser, account.username, account.password).status_code == 303


def test_sign_out_ends_the_session_on_the_server(browser, account, hub) -> None:
    sign_in(browser, account.username, account.password)
    old = browser.cookies[COOKIE]
    page = browser.get("/ui/_probe/page")
    out = browser.post("/ui/logout", data={"csrf_token": hidden_token(page.text)})
    assert out.status_code == 303 and out.headers["location"] == "/ui/login"
    assert COOKIE not in browser.cookies
    with httpx.Client(base_url=hub.url, cookies={COOKIE: old}) as replay:
        response = _who(replay)
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/login?next=/ui/_probe"


@pytest.mark.parametrize(
    ("column", "past"),
    [("last_seen", timedelta(minutes=31)), ("expires_at", timedelta(seconds=1))],
)
def test_idle_and_absolute_expiry(signed_in, sessions, column, past) -> None:
    assert _who(signed_in).status_code == 200
    token_hash = hashlib.sha256(signed_in.cookies[COOKIE].encode()).hexdigest()
    with sessions() as session, session.begin():
        session.execute(
            update(UISession)
            .where(UISession.token_hash == token_hash)
            .values({column: now() - past})
        )
    response = signed_in.get("/ui/_probe?view=all")
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/login?next=/ui/_probe%3Fview%3Dall"
    with sessions() as session:
        assert (
            session.scalars(select(UISession).where(UISession.token_hash == token_hash)).first()
            is None
        )


def test_a_session_within_the_idle_time_lives_on(signed_in, sessions) -> None:
    token_hash = hashlib.sha256(signed_in.cookies[COOKIE].encode()).hexdigest()
    with sessions() as session, session.begin():
        session.execute(
            update(UISession)
            .where(UISession.token_hash == token_hash)
            .values(last_seen=now() - timedelta(minutes=29))
        )
    assert _who(signed_in).status_code == 200
    with sessions() as session:
        seen = session.scalars(
            select(UISession.last_seen).where(UISession.token_hash == token_hash)
        ).one()
    assert now() - seen < timedelta(minutes=1)  # the visit counted as activity


def test_sign_in_rotates_the_token_and_never_adopts_a_planted_one(browser, account, hub) -> None:
    browser.cookies.set(COOKIE, "planted-by-an-attacker", domain="127.0.0.1", path="/ui")
    sign_in(browser, account.username, account.password)
    first = browser.cookies[COOKIE]
    assert first != "planted-by-an-attacker"
    sign_in(browser, account.username, account.password)
    second = browser.cookies[COOKIE]
    assert second != first and _who(browser).status_code == 200
    with httpx.Client(base_url=hub.url, cookies={COOKIE: first}) as replay:
        assert _who(replay).status_code == 303  # the session before the sign-in has ended


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/ui/", "/\\evil.example", "/api/v1/audit"]
)
def test_sign_in_never_redirects_off_the_ui(browser, account, target) -> None:
    form = browser.get("/ui/login", params={"next": target})
    assert 'name="next" value="/ui/"' in form.text
    response = sign_in(browser, account.username, account.password, next_url=target)
    assert response.status_code == 303 and response.headers["location"] == "/ui/"


def test_a_page_sends_a_signed_out_browser_to_login_and_back(browser, account) -> None:
    first = browser.get("/ui/_probe/page")
    assert first.status_code == 303
    assert first.headers["location"] == "/ui/login?next=/ui/_probe/page"
    htmx = browser.get("/ui/_probe/page", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"] == first.headers["location"]
    back = sign_in(browser, account.username, account.password, next_url="/ui/_probe/page")
    assert back.headers["location"] == "/ui/_probe/page"
    assert browser.get("/ui/_probe/page").status_code == 200


def test_disabling_an_account_ends_its_sessions(signed_in, account, sessions) -> None:
    from hub.ui.accounts import set_disabled

    assert _who(signed_in).status_code == 200
    with sessions() as session, session.begin():
        set_disabled(session, account.username, disabled=True)
    assert _who(signed_in).status_code == 303
    assert sign_in(signed_in, account.username, account.password).status_code == 400


def test_an_admin_acts_with_the_admin_scope(browser, sessions) -> None:
    admin = new_account(sessions, role="admin", password=PASSWORD)
    sign_in(browser, admin.username, admin.password)
    assert "admin" in _who(browser).json()["caller"]["scopes"]
