"""Logs hold no identifier, narrative, secret or token, whatever happens to a request."""

import logging
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import select

from hub.config import Settings
from hub.signals.models import Signal
from tests.auth.helpers import register
from tests.conftest import free_port
from tests.factories import signal_body


def test_logs_hold_no_identifiers_or_secrets(api, partners, sessions, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    partner = partners.new(kind="szw")
    narrative = f"narrative-{uuid.uuid4().hex}"
    body = signal_body(summary=narrative)
    created = api.post("/api/v1/signals", json=body, headers=partner.headers).json()
    # Invalid input, a duplicate, a bad token, and an internal error (a tampered ciphertext).
    api.post(
        "/api/v1/signals",
        json=signal_body(subjects=[{"type": "iban", "number": "NL00X"}]),
        headers=partner.headers,
    )
    api.post("/api/v1/signals", json=body, headers=partner.headers)
    api.get("/api/v1/signals", headers={"Authorization": f"Bearer {partner.token}x"})
    api.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(partner.client_id, partner.client_secret + "x"),
    )
    with sessions() as session, session.begin():
        signal = session.scalars(select(Signal).where(Signal.id == uuid.UUID(created["id"]))).one()
        signal.summary = bytes(signal.summary[:-1]) + bytes([signal.summary[-1] ^ 1])
    assert api.get(f"/api/v1/signals/{created['id']}", headers=partner.reader).status_code == 500

    logged = caplog.text + "".join(str(r.exc_info) for r in caplog.records if r.exc_info)
    assert caplog.records, "the server should have logged something (the 500 at least)"
    for secret in (
        narrative,
        "NL91ABNA0417164300",
        "NL91 ABNA",
        "Popescu",
        "+31612345678",
        "06-12345678",
        "12345678",
        partner.client_secret,
        partner.token,
    ):
        assert secret not in logged


def test_hub_serve_logs_no_token_or_secret_it_was_sent(
    sessions, settings: Settings, tmp_path: Path
) -> None:
    """`hub serve` as an operator runs it, its logs captured: every token and secret the test
    gets issued is sent in a header, a query and a form, and none of them is in the logs."""
    client_id, secret, _ = register(sessions, scopes="signals:read lookups")
    assert secret is not None
    port = free_port()
    env = {
        **os.environ,
        "HUB_DATABASE_URL": settings.sqlalchemy_url,
        "HUB_DATA_DIR": str(settings.data_dir),
    }
    env.pop("HUB_ISSUER", None)
    log_file = tmp_path / "serve.log"
    hub = Path(sys.executable).parent / "hub"
    with log_file.open("wb") as sink:
        process = subprocess.Popen(
            [str(hub), "serve", "--port", str(port)], env=env, stdout=sink, stderr=sink
        )
        try:
            issued = _exercise(f"http://127.0.0.1:{port}", client_id, secret)
        finally:
            process.terminate()
            process.wait(timeout=20)
    logged = log_file.read_text()
    assert f"127.0.0.1:{port}" in logged or "Uvicorn running" in logged
    # The access log was on and saw the requests (with their paths), just not the secrets.
    assert "/oauth/token" in logged and "access_token=" in logged
    for value in [secret, *issued]:
        assert value not in logged
        assert quote(value, safe="") not in logged


def _exercise(url: str, client_id: str, secret: str) -> list[str]:
    """Get tokens and send them, and the secret, every way a client might; return the tokens."""
    deadline = time.monotonic() + 30
    with httpx.Client(base_url=url, timeout=30) as client:
        while True:
            try:
                client.get("/health")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "hub serve did not start"
                time.sleep(0.2)
        grant = {"grant_type": "client_credentials"}
        tokens = []
        for response in (
            client.post("/oauth/token", data=grant, auth=(client_id, secret)),
            client.post(
                "/oauth/token", data=grant | {"client_id": client_id, "client_secret": secret}
            ),
        ):
            assert response.status_code == 200, response.text
            tokens.append(response.json()["access_token"])
        # Secrets and assertions in the URL of the token endpoint (refused, but logged).
        client.post(
            "/oauth/token",
            params={"client_id": client_id, "client_secret": secret},
            data=grant,
        )
        client.post("/oauth/token", params={"client_assertion": tokens[0], "assertion": tokens[1]})
        client.post("/oauth/token", data=grant, auth=(client_id, secret + "x"))
        for token in tokens:
            client.get("/api/v1/agencies", headers={"Authorization": f"Bearer {token}"})
            for name in ("access_token", "token", "id_token"):
                client.get("/api/v1/agencies", params={name: token})
                client.get(f"/api/v1/agencies?{name}={token}&{name}={token}")
            client.post("/api/v1/lookups", data={"access_token": token})
            client.get("/api/v1/agencies", headers={"Authorization": f"Bearer {token}x"})
            client.get(f"/ui/?code={token}&state={secret}")
    return tokens
