"""The `hub` command on a demo database, each command in a fresh process as an operator runs
it: what it prints (URLs of the configured issuer, whole table rows when piped, what migrate
did) and what `hub demo` leaves behind for the walkthrough (yesterday's report and digests)."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from hub.db import make_engine, make_sessionmaker
from hub.digests.models import Digest
from hub.reports.models import Report
from hub.reports.service import yesterday
from hub.signals.models import Signal
from tests.conftest import free_port

HUB = Path(sys.executable).parent / "hub"


def run(env: dict[str, str], *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    """`hub ARGS` in a fresh process, its output piped (as in cron mail or `| less`)."""
    result = subprocess.run(
        [str(HUB), *args], capture_output=True, text=True, env=env, check=False, timeout=300
    )
    assert result.returncode == code, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def demo_env(db_factory, tmp_path_factory) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    db = db_factory("cli-demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.pop("COLUMNS", None)
    env |= {"HUB_DATABASE_URL": db.url, "HUB_DATA_DIR": str(tmp_path_factory.mktemp("demo"))}
    yield env


@pytest.fixture(scope="module")
def demo(demo_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`hub demo` once, with the hub said to serve on a port other than 8000."""
    return run({**demo_env, "HUB_ISSUER": "http://127.0.0.1:8123"}, "demo")


def _sessions(env: dict[str, str]):  # type: ignore[no-untyped-def]
    return make_sessionmaker(make_engine(env["HUB_DATABASE_URL"]))


def test_migrate_says_what_it_did(db_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env |= {"HUB_DATABASE_URL": db_factory("cli-migrate").url, "HUB_DATA_DIR": str(tmp_path)}
    first = run(env, "migrate").stdout
    assert first.startswith("database migrated from an empty database to ")
    head = first.split()[-1]
    assert run(env, "migrate").stdout.strip() == f"database already at {head}: nothing to do"


def test_demo_prints_the_issuer_urls_and_builds_yesterday(demo, demo_env) -> None:  # type: ignore[no-untyped-def]
    assert "http://127.0.0.1:8123/oauth/token" in demo.stdout
    assert "http://127.0.0.1:8123/ui/" in demo.stdout
    assert ":8000" not in demo.stdout
    day = yesterday()
    assert f"trend report and digests of {day.isoformat()} are built" in demo.stdout
    with _sessions(demo_env)() as session:
        report = session.scalars(select(Report).where(Report.report_date == day)).one()
        digests = session.scalars(select(Digest).where(Digest.digest_date == day)).all()
        created = session.execute(select(func.min(Signal.created_at))).scalar_one()
    content = json.loads(report.json_text)
    # The demo was posted over eight weeks: yesterday has signals, and every agency its digest
    # (of accepted cases and disclosures only: the demo's proposals are unreviewed).
    assert content["periods"]["day"]["total"]["current"] not in (0, "<5")
    assert len(digests) >= 10
    assert all(json.loads(d.content)["digest_date"] == day.isoformat() for d in digests)
    assert yesterday() - created.date() > timedelta(weeks=6)
    # Once: a second run keeps what the first built.
    again = run({**demo_env, "HUB_ISSUER": "http://127.0.0.1:8123"}, "demo")
    assert "0 new signals" in again.stdout
    with _sessions(demo_env)() as session:
        kept = session.scalars(select(Report).where(Report.report_date == day)).one()
    assert kept.generated_at == report.generated_at


def test_report_nightly_prints_the_issuer_url(demo, demo_env) -> None:  # type: ignore[no-untyped-def]
    env = {**demo_env, "HUB_ISSUER": "https://hub.example.nl"}
    printed = run(env, "report", "nightly").stdout
    assert f"https://hub.example.nl/api/v1/reports/{yesterday().isoformat()}" in printed


def test_adding_a_demo_agency_says_the_demo_made_it(demo, demo_env) -> None:  # type: ignore[no-untyped-def]
    refused = run(
        demo_env, "agencies", "add", "SZW", "--name", "Arbeidsinspectie", "--kind", "szw", code=2
    )
    message = " ".join(refused.stderr.split())
    assert "agency SZW already exists" in message and "the demo" in message
    assert "hub agencies list" in message and "pick a code" in message


def test_relink_counts_every_signal_it_considered(demo, demo_env) -> None:  # type: ignore[no-untyped-def]
    with _sessions(demo_env)() as session:
        active = session.scalar(
            select(func.count()).select_from(Signal).where(Signal.status == "active")
        )
    assert run(demo_env, "relink").stdout.startswith(f"relinked {active} signal(s) (")
    run(demo_env, "nightly")
    log = run(demo_env, "nightly", "--log", "--runs", "1").stdout
    [row] = [line for line in log.splitlines() if " relink " in line]
    # One whole row, though piped: rich would cut it to 80 columns and wrap the counts.
    assert len(row) > 80
    # (PostgreSQL's jsonb keeps the counts in its own key order.)
    assert f"signals {active}," in row or row.rstrip(" │").endswith(f"signals {active}")
    assert "linked " in row and "closed 0" in row


def test_serve_demo_uses_its_port_and_accepts_a_local_webhook(demo, demo_env) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    server = subprocess.Popen(
        [str(HUB), "serve", "--demo", "--port", str(port)],
        env=demo_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "hub did not start"
            time.sleep(0.2)
        credentials = run(demo_env, "demo-credentials", "KMAR").stdout.strip().split(":", 1)
        token = httpx.post(
            f"{base}/oauth/token",
            auth=tuple(credentials),  # type: ignore[arg-type]
            data={"grant_type": "client_credentials"},
        ).json()["access_token"]
        hook = httpx.put(
            f"{base}/api/v1/webhook",
            json={"url": "http://127.0.0.1:8765/digest"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert hook.status_code in (200, 201), hook.text
    finally:
        server.terminate()
        printed, _ = server.communicate(timeout=30)
    assert f"{base}/oauth/token" in printed and ":8000" not in printed
    assert "HUB_WEBHOOKS_ALLOW_PRIVATE=true" in printed


def test_the_demo_has_an_liec_analyst_who_may_read_the_reports(demo, demo_env) -> None:  # type: ignore[no-untyped-def]
    from hub.agencies.models import Agency
    from hub.covenants.loader import load_covenants
    from hub.covenants.model import Agency as PolicyAgency
    from hub.covenants.policy import aggregates_allowed
    from hub.kit import clock
    from hub.paths import document_dir
    from hub.ui.models import UIUser

    assert run(demo_env, "demo-credentials", "liec.analyst").stdout.strip()
    with _sessions(demo_env)() as session:
        user, agency = session.execute(
            select(UIUser, Agency)
            .join(Agency, Agency.id == UIUser.agency_id)
            .where(UIUser.username == "liec.analyst")
        ).one()
        names = dict(session.execute(select(UIUser.username, UIUser.display_name)).all())
    assert agency.code == "LIEC" and user.role == "analyst"
    assert all(names.values()), names  # every demo account has a name for the history
    covenants = load_covenants(document_dir("covenants"))
    viewer = PolicyAgency(agency.code, agency.kind, agency.region)
    assert aggregates_allowed(viewer, covenants, clock.today())  # so the Reports tab has a user
