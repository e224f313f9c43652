"""Accounts through the service: password rules, Argon2id at rest, roles and their scopes."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import Response
from sqlalchemy import select

from hub.auth.scopes import SCOPES
from hub.config import Settings
from hub.kit.i18n import use_language
from hub.ui import accounts
from hub.ui.models import UIUser
from hub.ui.roles import ROLE_SCOPES, scopes_for
from hub.ui.sessions import Analyst, safe_next, set_session_cookie
from tests.ui.helpers import PASSWORD, new_agency

POLICY = accounts.SignInPolicy(attempts=3, lockout=timedelta(minutes=15))


def test_password_rules() -> None:
    accounts.check_password("x" * 12, username="alice")
    for bad, why in (
        ("x" * 11, "at least 12"),
        ("x" * 1025, "at most 1024"),
        ("Alice-at-riec", "may not be the username"),
    ):
        with pytest.raises(accounts.AccountError, match=why):
            accounts.check_password(bad, username="alice-at-riec")


def test_create_stores_argon2id_only_and_refuses_bad_input(sessions) -> None:
    code, agency_id = new_agency(sessions)
    with sessions() as session, session.begin():
        user = accounts.create_user(
            session, "  Carla.de.Vries ", agency_code=code, role="analyst", password=PASSWORD
        )
        assert user.username == "carla.de.vries" and user.agency_id == agency_id
        assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        for kwargs, why in (
            ({"username": "CARLA.de.vries"}, "already taken"),
            ({"agency_code": "NO-SUCH"}, "no agency"),
            ({"role": "superuser"}, "unknown role"),
            ({"password": "short"}, "at least 12"),
            ({"username": "-x"}, "a username is"),
        ):
            args = {"username": "someone-new", "agency_code": code, "role": "analyst"}
            args |= {"password": PASSWORD} | kwargs
            with pytest.raises(accounts.AccountError, match=why):
                accounts.create_user(session, args.pop("username"), **args)
        session.rollback()


def test_lockout_counts_failures_in_a_row_and_a_success_resets(sessions) -> None:
    code, _ = new_agency(sessions)
    now = datetime.now(UTC)
    with sessions() as session, session.begin():
        user = accounts.create_user(
            session, "dana", agency_code=code, role="admin", password=PASSWORD
        )
        sign = lambda pw, at=now: accounts.sign_in(session, "DANA", pw, now=at, policy=POLICY)  # noqa: E731
        assert sign("wrong password 1").reason == "password"
        assert sign(PASSWORD).user is user  # resets the count
        assert [sign("wrong").reason for _ in range(3)][-1] == "password; now locked"
        assert user.locked_until == now + POLICY.lockout
        assert sign(PASSWORD).reason == "locked"  # the right password does not help
        assert sign(PASSWORD, now + timedelta(minutes=16)).user is user  # the lock ran out
        assert sign("x" * 5000).reason == "password"  # over-long: refused, never hashed whole
        assert sign(PASSWORD, now).user is user
        assert accounts.sign_in(session, "nobody", PASSWORD, now=now, policy=POLICY).reason == (
            "unknown"
        )
        session.rollback()


def test_role_scopes_are_hub_scopes_and_only_admin_has_admin() -> None:
    for scopes in ROLE_SCOPES.values():
        assert scopes <= SCOPES.keys()
    assert scopes_for("analyst") == {"proposals:review", "reports:read"}
    assert scopes_for("admin") == {"proposals:review", "reports:read", "admin"}
    assert scopes_for("nobody") == frozenset()


def test_an_analyst_calls_services_as_a_caller() -> None:
    analyst = Analyst("eva", 7, "RIEC-AA", "RIEC Amsterdam", "analyst", 42, "t")
    caller = analyst.caller()
    assert (caller.agency_id, caller.agency_code, caller.client_id) == (7, "RIEC-AA", "ui:eva")
    assert caller.scopes == {"proposals:review", "reports:read"} and caller.token_id == "42"
    with pytest.raises(AttributeError):
        analyst.role = "admin"  # type: ignore[misc]


@pytest.mark.parametrize(
    "candidate",
    [
        None,
        "",
        "https://evil.example/ui/",
        "//evil.example/ui/",
        "/\\evil.example",
        "/ui\\..\\api",
        "javascript:alert(1)",
        "/api/v1/signals",
        "/ui/../api/v1/signals",
        "/ui/x\r\nSet-Cookie: a=b",
        "ui/proposals",
    ],
)
def test_next_never_leaves_the_ui(candidate: str | None) -> None:
    assert safe_next(candidate) == "/ui/"


def test_next_inside_the_ui_is_kept() -> None:
    assert safe_next("/ui/proposals?status=new#top") == "/ui/proposals?status=new#top"


def test_session_cookie_is_secure_behind_https() -> None:
    response = Response()
    set_session_cookie(response, "t0ken", Settings(issuer="https://hub.example.nl"))
    cookie = response.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    plain = Response()
    set_session_cookie(plain, "t0ken", Settings(issuer="http://127.0.0.1:8000"))
    assert "Secure" not in plain.headers["set-cookie"]


def test_external_accounts_follow_the_providers_claims(sessions) -> None:
    code, agency_id = new_agency(sessions)
    other, other_id = new_agency(sessions)
    with sessions() as session, session.begin():
        first = accounts.sign_in_external(
            session,
            external_id="https://idp|u1",
            username="fenna",
            agency_code=code,
            role="analyst",
        )
        assert first.password_hash is None and first.external
        again = accounts.sign_in_external(
            session, external_id="https://idp|u1", username="fenna", agency_code=other, role="admin"
        )
        assert again.id == first.id and (again.agency_id, again.role) == (other_id, "admin")
        # Outside a request the hub speaks Dutch; the messages are the sign-on page's.
        with pytest.raises(accounts.AccountError, match="hoort al bij een ander account"):
            accounts.sign_in_external(
                session,
                external_id="https://idp|u2",
                username="fenna",
                agency_code=code,
                role="admin",
            )
        assert (
            session.scalars(select(UIUser).where(UIUser.username == "fenna")).one().id == first.id
        )
        accounts.set_disabled(session, "fenna", disabled=True)
        with use_language("en"), pytest.raises(accounts.AccountError, match="disabled"):
            accounts.sign_in_external(
                session,
                external_id="https://idp|u1",
                username="fenna",
                agency_code=code,
                role="admin",
            )
        # An account made by sign-on has no password to try.
        assert accounts.sign_in(
            session, "fenna", "", now=datetime.now(UTC), policy=POLICY
        ).reason == ("external")
        session.rollback()
    assert agency_id != other_id
