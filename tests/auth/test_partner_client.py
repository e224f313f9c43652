"""docs/examples/partner_client.py, run as a partner would: a new agency registered with the
`hub` command, its key pair from `hub clients keygen`, and one signal posted to a live hub."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.agencies.models import Agency
from hub.config import Settings
from hub.signals.models import Signal
from tests.conftest import LiveServer
from tests.factories import signal_body

ROOT = Path(__file__).resolve().parents[2]
HUB = Path(sys.executable).parent / "hub"


def _hub(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HUB_DATABASE_URL": settings.sqlalchemy_url,
        "HUB_DATA_DIR": str(settings.data_dir),
        "HUB_ISSUER": settings.issuer,
    }
    result = subprocess.run([str(HUB), *args], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_the_example_client_posts_a_signal_for_a_new_agency(
    server: LiveServer, settings: Settings, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    code = f"GM9{uuid.uuid4().int % 1000:03d}-{uuid.uuid4().hex[:6].upper()}"
    _hub(
        settings,
        "agencies",
        "add",
        code,
        "--name",
        "Gemeente Voorbeeld",
        "--kind",
        "municipality",
        "--region",
        "midden-nederland",
    )
    made = _hub(settings, "clients", "keygen", "--out", str(tmp_path), "--name", code)
    assert "private key" in made.stdout
    private_file = tmp_path / f"{code.lower()}-private.jwk.json"
    public_file = tmp_path / f"{code.lower()}-public.jwks.json"
    assert oct(private_file.stat().st_mode & 0o777) == "0o600"
    assert "d" not in json.loads(public_file.read_text())["keys"][0]  # no private part
    created = _hub(
        settings,
        "clients",
        "create",
        "--agency",
        code,
        "--scopes",
        "signals:write",
        "--jwk",
        str(public_file),
        "--json",
    )
    client = json.loads(created.stdout)
    assert client["client_secret"] is None
    signal_file = tmp_path / "signal.json"
    body = signal_body()
    signal_file.write_text(json.dumps(body))

    run = [
        sys.executable,
        str(ROOT / "docs/examples/partner_client.py"),
        server.url,
        client["client_id"],
        str(private_file),
        str(signal_file),
    ]
    first = subprocess.run(run, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    status, signal_id = first.stdout.split()
    assert status == "201"
    # Run again: the Idempotency-Key returns the first signal, and no second one is made.
    again = subprocess.run(run, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.split()[1] == signal_id

    with sessions() as session:
        rows = session.execute(
            select(Signal.id, Signal.external_ref)
            .join(Agency, Agency.id == Signal.agency_id)
            .where(Agency.code == code)
        ).all()
    assert [(str(i), ref) for i, ref in rows] == [(signal_id, body["external_ref"])]


def test_keygen_makes_an_ec_key_and_keeps_an_existing_one(
    settings: Settings, tmp_path: Path
) -> None:
    _hub(settings, "clients", "keygen", "--out", str(tmp_path), "--kind", "ec")
    private = json.loads((tmp_path / "client-private.jwk.json").read_text())
    assert (private["kty"], private["crv"], private["alg"]) == ("EC", "P-256", "ES256")
    env = {**os.environ, "HUB_DATA_DIR": str(settings.data_dir)}
    again = subprocess.run(
        [str(HUB), "clients", "keygen", "--out", str(tmp_path), "--kind", "ec"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert again.returncode == 2 and "exists" in again.stderr
    assert json.loads((tmp_path / "client-private.jwk.json").read_text()) == private
