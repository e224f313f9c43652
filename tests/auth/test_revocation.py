"""Disabled and deleted clients: their tokens stop working at once, by CLI and by API, audited."""

import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from hub.audit.models import AuditEvent
from hub.cli import app
from hub.config import Settings
from tests.factories import Partner, PartnerFactory

AGENCIES = "/api/v1/agencies"
# The cache of a client's state may be this old (client_check_seconds), plus a margin.
WITHIN = 5.0 + 1.5
runner = CliRunner()


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Callable[..., object]:
    """`hub ...` against the suite's database and keys, as an operator runs it."""
    monkeypatch.setenv("HUB_DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("HUB_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HUB_ISSUER", settings.issuer)
    return lambda *args: runner.invoke(app, list(args))


def _status(api: httpx.Client, partner: Partner) -> int:
    return api.get(AGENCIES, headers=partner.headers).status_code


def _wait_for(api: httpx.Client, partner: Partner, status: int) -> float:
    """Seconds until the partner's token gets `status`; fails after WITHIN."""
    start = time.monotonic()
    while _status(api, partner) != status:
        assert time.monotonic() - start < WITHIN, f"still not {status} after {WITHIN} s"
        time.sleep(0.1)
    return time.monotonic() - start


def _new_token(api: httpx.Client, partner: Partner) -> httpx.Response:
    return api.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(partner.client_id, partner.client_secret),
    )


def _events(sessions: sessionmaker[Session], object_id: str) -> list[tuple[str, str | None]]:
    with sessions() as session:
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.owner)
            .where(AuditEvent.object_id == object_id)
            .order_by(AuditEvent.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_cli_disable_enable_delete_take_effect_within_seconds(
    api: httpx.Client, partners: PartnerFactory, sessions, cli
) -> None:
    partner = partners.new(kind="kmar", scopes="signals:read")
    listed = cli("clients", "list", "--agency", partner.code, "--json")
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output)["client_id"] == partner.client_id
    assert json.loads(listed.output)["disabled_at"] is None
    table = cli("clients", "list", "--agency", partner.code)
    assert table.exit_code == 0 and partner.client_id in table.output
    assert _status(api, partner) == 200

    disabled = cli("clients", "disable", partner.client_id)
    assert disabled.exit_code == 0, disabled.output
    _wait_for(api, partner, 401)  # another process's change: seen within the cache's age
    refused = api.get(AGENCIES, headers=partner.headers)
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert _new_token(api, partner).status_code == 401
    shown = cli("clients", "list", "--agency", partner.code, "--json").output
    assert json.loads(shown)["disabled_at"] is not None

    # Enabled again: new tokens work; the one issued before the disable stays refused.
    assert cli("clients", "enable", partner.client_id).exit_code == 0
    fresh = _new_token(api, partner)
    assert fresh.status_code == 200, fresh.text
    renewed = replace(partner, headers={"Authorization": f"Bearer {fresh.json()['access_token']}"})
    _wait_for(api, renewed, 200)
    assert _status(api, partner) == 401

    assert cli("clients", "delete", partner.client_id).exit_code == 0
    _wait_for(api, renewed, 401)
    assert _new_token(api, partner).status_code == 401
    assert partner.client_id not in cli("clients", "list", "--json").output
    # The token request refused while disabled is counted and audited when its rate-limit
    # window closes (hub/auth/throttle.py), which may fall anywhere in this test: the CLI's own
    # events are what must come in order.
    events = _events(sessions, partner.client_id)
    assert [a for a, _ in events if a != "client.auth_failed"] == [
        "client.disabled",
        "client.enabled",
        "client.deleted",
    ]
    assert {owner for _, owner in events} == {partner.code}


@pytest.mark.parametrize("command", ["disable", "enable", "delete"])
def test_cli_names_an_unknown_client_without_a_traceback(cli, command: str) -> None:
    result = cli("clients", command, "nobody-0000000000000000")
    assert result.exit_code == 2
    assert "no client 'nobody-0000000000000000'" in result.output
    assert "Traceback" not in result.output


def test_api_disable_is_immediate_and_enable_gives_new_tokens_only(
    api: httpx.Client, partners: PartnerFactory, sessions
) -> None:
    admin = partners.new(kind="emm", scopes="admin")
    partner = partners.new(kind="kmar", scopes="signals:read")
    listed = api.get("/api/v1/clients", params={"agency": partner.code}, headers=admin.headers)
    assert listed.status_code == 200, listed.text
    (shown,) = listed.json()["items"]
    assert shown["client_id"] == partner.client_id and shown["disabled_at"] is None
    assert set(shown) == {
        "client_id",
        "agency",
        "name",
        "scopes",
        "auth_method",
        "created_at",
        "disabled_at",
    }
    assert partner.client_secret not in listed.text

    url = f"/api/v1/clients/{partner.client_id}"
    disabled = api.post(f"{url}/disable", headers=admin.headers)
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["disabled_at"] is not None
    assert _status(api, partner) == 401  # at once: no waiting for a cache
    assert _new_token(api, partner).status_code == 401

    enabled = api.post(f"{url}/enable", headers=admin.headers)
    assert enabled.status_code == 200 and enabled.json()["disabled_at"] is None
    assert _status(api, partner) == 401  # issued before the disable
    # `iat` has whole seconds: a token issued within the second of the disable counts as
    # issued before it (refused, the safe side), so the fresh one comes a second later.
    time.sleep(1.0)
    fresh = _new_token(api, partner)
    assert fresh.status_code == 200, fresh.text
    headers = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
    assert api.get(AGENCIES, headers=headers).status_code == 200

    assert api.delete(url, headers=admin.headers).status_code == 204
    assert api.get(AGENCIES, headers=headers).status_code == 401
    gone = api.delete(url, headers=admin.headers)
    assert gone.status_code == 404
    assert gone.headers["Content-Type"] == "application/problem+json"
    assert api.post(f"{url}/disable", headers=admin.headers).status_code == 404
    assert [a for a, _ in _events(sessions, partner.client_id)] == [
        "client.disabled",
        "client.enabled",
        "client.deleted",
    ]


def test_only_administrators_manage_clients_and_not_their_own(
    api: httpx.Client, partners: PartnerFactory
) -> None:
    admin = partners.new(kind="emm", scopes="admin")
    other = partners.new(kind="kmar", scopes="signals:read signals:write audit:read")
    for method, path in [
        ("GET", "/api/v1/clients"),
        ("POST", f"/api/v1/clients/{admin.client_id}/disable"),
        ("POST", f"/api/v1/clients/{admin.client_id}/enable"),
        ("DELETE", f"/api/v1/clients/{admin.client_id}"),
    ]:
        response = api.request(method, path, headers=other.headers)
        assert response.status_code == 403, (method, path, response.text)
        assert response.headers["Content-Type"] == "application/problem+json"
    for method, path in [
        ("POST", f"/api/v1/clients/{admin.client_id}/disable"),
        ("DELETE", f"/api/v1/clients/{admin.client_id}"),
    ]:
        response = api.request(method, path, headers=admin.headers)
        assert response.status_code == 409, response.text
        assert "calling with" in response.json()["detail"]
    assert _status(api, admin) == 200


def test_client_routes_are_documented(api: httpx.Client) -> None:
    spec = api.get("/api/v1/openapi.json").json()
    for path, method, statuses in [
        ("/clients", "get", {"200", "400", "401", "403"}),
        ("/clients/{client_id}/disable", "post", {"200", "401", "403", "404", "409"}),
        ("/clients/{client_id}/enable", "post", {"200", "401", "403", "404"}),
        ("/clients/{client_id}", "delete", {"204", "401", "403", "404", "409"}),
    ]:
        operation = spec["paths"][path][method]
        assert statuses <= operation["responses"].keys(), (path, method)
        assert operation["security"] == [{"oauth2": ["admin"]}]


def test_key_rotation_is_audited(
    settings: Settings, sessions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its own key folder: rotating the suite's keys would change what other tests see.
    monkeypatch.setenv("HUB_DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["keys", "rotate", "--data"])
    assert result.exit_code == 0, result.output
    kid = result.output.split("new signing key ")[1].split()[0]
    with sessions() as session:
        events = session.execute(
            select(AuditEvent.action, AuditEvent.object_type, AuditEvent.agency).where(
                AuditEvent.object_id == kid
            )
        ).all()
    assert [tuple(e) for e in events] == [("key.rotated", "signing-key", "HUB")]
