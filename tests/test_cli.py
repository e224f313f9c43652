"""The `hub` command as an operator uses it, against a throw-away migrated database."""

import gc
import importlib
import json
import stat
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from hub.agencies.models import Agency
from hub.app import create_app
from hub.auth.clients import verify_secret
from hub.auth.models import OAuthClient
from hub.cli import app
from hub.config import Settings
from hub.db import make_engine, make_sessionmaker, now
from hub.demo.synthetic import DEMO_AGENCIES
from hub.kit.heap import YOUNG_THRESHOLD
from hub.signals.models import Signal
from hub.ui.accounts import SignInPolicy, sign_in
from hub.ui.models import UIUser

runner = CliRunner()


@pytest.fixture
def operator_env(db_factory, tmp_path: Path, monkeypatch) -> str:
    db = db_factory("cli")
    monkeypatch.setenv("HUB_DATABASE_URL", db.url)
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path / "data"))
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    return db.url


def _invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def test_agencies_and_clients(operator_env: str) -> None:
    result = _invoke(
        "agencies", "add", "KMAR", "--name", "Koninklijke Marechaussee", "--kind", "kmar"
    )
    assert result.exit_code == 0, result.output
    again = _invoke("agencies", "add", "KMAR", "--name", "x", "--kind", "kmar")
    assert again.exit_code == 2 and "already exists" in again.output
    bad = _invoke("agencies", "add", "RIEC-XX", "--name", "x", "--kind", "riec", "--region", "mars")
    assert bad.exit_code == 2 and "unknown region" in bad.output
    assert "Koninklijke Marechaussee" in _invoke("agencies", "list").output

    created = _invoke(
        "clients", "create", "--agency", "KMAR", "--scopes", "signals:write lookups", "--json"
    )
    assert created.exit_code == 0, created.output
    credentials = json.loads(created.stdout)
    assert credentials["scopes"] == "lookups signals:write"
    sessions = make_sessionmaker(make_engine(operator_env))
    with sessions() as session:
        client = session.scalars(
            select(OAuthClient).where(OAuthClient.client_id == credentials["client_id"])
        ).one()
        assert client.secret_hash != credentials["client_secret"]
        assert verify_secret(client, credentials["client_secret"])

    unknown = _invoke("clients", "create", "--agency", "NOPE", "--json")
    assert unknown.exit_code == 2 and "no agency" in unknown.output
    bad_scope = _invoke("clients", "create", "--agency", "KMAR", "--scopes", "everything")
    assert bad_scope.exit_code == 2 and "unknown scope" in bad_scope.output


def test_demo_is_idempotent(operator_env: str, tmp_path: Path) -> None:
    first = _invoke("demo")
    assert first.exit_code == 0, first.output
    sessions = make_sessionmaker(make_engine(operator_env))
    with sessions() as session:
        codes = set(session.scalars(select(Agency.code)))
        signals = session.scalar(select(func.count()).select_from(Signal))
    assert {a["code"] for a in DEMO_AGENCIES} <= codes
    assert signals is not None and signals >= 300
    credentials_file = tmp_path / "data" / "demo-clients.json"
    assert stat.S_IMODE(credentials_file.stat().st_mode) == 0o600

    second = _invoke("demo")
    assert second.exit_code == 0, second.output
    assert "0 new signals" in second.output
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Signal)) == signals

    printed = _invoke("demo-credentials", "KMAR").stdout.strip()
    client_id, secret = printed.split(":", 1)
    assert json.loads(credentials_file.read_text())["KMAR"] == {
        "client_id": client_id,
        "client_secret": secret,
    }
    assert _invoke("demo-credentials", "NOPE").exit_code == 2
    # The demo's analysts sign in to the web UI with the password printed here; the file
    # holding it is the operator's only.
    password = _invoke("demo-credentials", "riec-aa.analyst").stdout.strip()
    analysts = tmp_path / "data" / "demo-analysts.json"
    assert stat.S_IMODE(analysts.stat().st_mode) == 0o600
    with sessions() as session, session.begin():
        [analyst] = session.scalars(select(UIUser).where(UIUser.username == "riec-aa.analyst"))
        result = sign_in(
            session,
            "riec-aa.analyst",
            password,
            now=now(),
            policy=SignInPolicy(attempts=5, lockout=timedelta(minutes=15)),
        )
        assert result.user is not None and result.user.id == analyst.id


def test_keys_rotate(operator_env: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    create_app(Settings(data_dir=data, database_url=operator_env))  # the keys of a first start
    keys = data / "keys"
    signing_before = {p.name for p in keys.glob("signing-*.json")}
    data_keys_before = json.loads((keys / "data-keys.json").read_text())
    result = _invoke("keys", "rotate", "--data")
    assert result.exit_code == 0, result.output
    signing_after = {p.name for p in keys.glob("signing-*.json")}
    assert len(signing_before) == 1 and signing_before < signing_after
    assert len(signing_after) == 2
    data_keys_after = json.loads((keys / "data-keys.json").read_text())
    assert data_keys_after["active"] != data_keys_before["active"]
    assert data_keys_before["aead"].items() < data_keys_after["aead"].items()
    assert data_keys_after["blind_index"] == data_keys_before["blind_index"]


def test_openapi_writes_the_served_spec(tmp_path: Path) -> None:
    target = tmp_path / "spec.json"
    assert _invoke("openapi", "--output", str(target)).exit_code == 0
    committed = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"
    assert target.read_text() == committed.read_text()


def test_serve_refuses_an_unmigrated_database(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path))
    result = _invoke("serve")
    assert result.exit_code == 2
    assert "hub migrate" in result.output


def test_invalid_setting_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setenv("HUB_TOKEN_LIFETIME", "99999")
    result = _invoke("migrate")
    assert result.exit_code == 2
    assert "token_lifetime" in result.output and "Traceback" not in result.output


def test_console_script_is_installed() -> None:
    hub = Path(sys.executable).parent / "hub"
    result = subprocess.run([str(hub), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    for command in ("serve", "migrate", "agencies", "clients", "keys", "openapi", "demo"):
        assert command in result.stdout


def test_covenants_check(tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parents[1] / "covenants"
    good = _invoke("covenants", "check", str(shipped))
    assert good.exit_code == 0, good.output
    assert "3 covenant(s) valid" in good.output
    assert (
        "Reviewers of case proposals (reviews: true): emm-case-proposals v1 enforcement-to-emm, "
        "riec-liec v1 riec-region-pseudonymised" in good.output
    )
    broken = tmp_path / "covenants"
    broken.mkdir()
    for path in shipped.glob("*.yaml"):
        (broken / path.name).write_text(path.read_text())
    target = broken / "emm-case-proposals.yaml"
    lines = target.read_text().splitlines()
    line = next(i for i, text in enumerate(lines) if text.strip().startswith("level: full"))
    lines[line] = lines[line].replace("full", "ful")
    target.write_text("\n".join(lines) + "\n")
    bad = _invoke("covenants", "check", str(broken))
    assert bad.exit_code == 2
    assert f"emm-case-proposals.yaml:{line + 1}:" in bad.output
    assert "level" in bad.output and "'ful'" in bad.output


@pytest.mark.parametrize(
    "command",
    [["report", "nightly", "--date", "2026-11-24"], ["relink"], ["purge", "--dry-run"]],
)
def test_database_commands_work_in_a_fresh_process(
    operator_env: str, tmp_path: Path, command: list[str]
) -> None:
    # In-process tests import every model; a fresh `hub` process imports only what its command
    # does, so a model another one refers to must be registered by the command path itself.
    hub = Path(sys.executable).parent / "hub"
    result = subprocess.run([str(hub), *command], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "Error" not in result.stderr


@pytest.mark.parametrize(
    ("command", "module", "name"),
    [
        (["relink"], "hub.linking.service", "relink"),
        (["nightly", "--date", "2026-11-24"], "hub.nightly.service", "run_nightly"),
    ],
)
def test_long_runs_collect_as_the_server_does(
    operator_env: str, monkeypatch, command: list[str], module: str, name: str
) -> None:
    """A relink's many rows would otherwise set off collections over the whole heap."""
    owner = importlib.import_module(module)
    real, seen = getattr(owner, name), []

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append((gc.get_threshold()[0], gc.get_freeze_count() > 0))
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, watched)
    before = gc.get_threshold()
    result = _invoke(*command)
    assert result.exit_code == 0, result.output
    assert seen == [(YOUNG_THRESHOLD, True)]
    assert gc.get_threshold() == before


def test_covenants_simulate(operator_env: str, tmp_path: Path) -> None:
    from hub.auth.caller import Caller
    from hub.barriers.vocabulary import load_vocabulary
    from hub.kit.crypto import DataKeys
    from hub.paths import document_dir
    from hub.signals.schemas import SignalCreate
    from hub.signals.service import insert_signals
    from tests.factories import signal_body

    for code, kind in (("KMAR", "kmar"), ("IND", "ind")):
        assert _invoke("agencies", "add", code, "--name", code, "--kind", kind).exit_code == 0
    shipped = Path(__file__).resolve().parents[1] / "covenants"
    sessions = make_sessionmaker(make_engine(operator_env))
    vocabulary = load_vocabulary(document_dir("barriers"))
    with sessions() as session, session.begin():
        kmar = session.scalars(select(Agency).where(Agency.code == "KMAR")).one()
        caller = Caller(kmar.id, "KMAR", "cli-test", frozenset({"signals:write"}), "t")
        items = [
            (
                uuid.uuid4(),
                SignalCreate.model_validate(signal_body(), context={"vocabulary": vocabulary}),
            )
            for _ in range(2)
        ]
        insert_signals(session, DataKeys.load_or_create(tmp_path / "data"), caller, items, [])
    draft = tmp_path / "draft"
    draft.mkdir()
    for path in shipped.glob("*.yaml"):
        (draft / path.name).write_text(path.read_text())
    (draft / "extra.yaml").write_text(
        "id: extra\nversion: 1\ntitle: Extra\nlegal_basis: [x]\nparties: [KMAR, IND]\n"
        "purposes: [investigation]\nvalid_from: 2025-01-01\nretention_days: 30\n"
        "onward_sharing: false\nrules:\n  - id: kmar-to-ind\n    from: [KMAR]\n    to: [IND]\n"
        "    purposes: [investigation]\n    level: pseudonymised\n    categories: all\n"
        "    barriers: all\n"
    )

    result = _invoke("covenants", "simulate", "--draft", str(draft), "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    [ind] = [r for r in body["rows"] if r["agency"] == "IND" and r["purpose"] == "investigation"]
    assert ind["signals"]["change"]["pseudonymised"] == 2 and ind["signals"]["raised"] == 2
    assert body["changed"] == 1 and body["signals"] == 2

    table = _invoke("covenants", "simulate", "--draft", str(draft), "--against", str(shipped))
    assert table.exit_code == 0, table.output
    assert "0 → 2 (+2)" in table.output and "1 agency and purpose row(s) change" in table.output

    (draft / "extra.yaml").write_text((draft / "extra.yaml").read_text().replace("pseudo", "x"))
    bad = _invoke("covenants", "simulate", "--draft", str(draft))
    assert bad.exit_code == 2
    assert "draft/extra.yaml:" in bad.output and "rules[0].level" in bad.output

    # In a fresh process too (the command registers the models it needs itself).
    hub = Path(sys.executable).parent / "hub"
    fresh = subprocess.run(
        [str(hub), "covenants", "simulate", "--draft", str(shipped), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert json.loads(fresh.stdout)["changed"] == 0
