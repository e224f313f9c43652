"""Two hub processes never run the nightly job at once, on SQLite and PostgreSQL alike."""

import os
import signal
import socket
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select, update

from hub.config import Settings
from hub.nightly.lock import LEASE_ID, NightlyLock
from hub.nightly.models import NightlyLease, NightlyRun
from tests.conftest import free_port
from tests.nightly.conftest import DAY, NightlyHub, wait_for


def _runs(hub: NightlyHub) -> list[NightlyRun]:
    with hub.sessions() as session:
        return list(session.scalars(select(NightlyRun).where(NightlyRun.step == "run")))


def test_the_lock_is_taken_once_and_given_back(hub: NightlyHub) -> None:
    first, second = NightlyLock(hub.engine), NightlyLock(hub.engine)
    assert first.acquire() is None
    try:
        reason = second.acquire()
        assert reason is not None and "another hub process" in reason
        first.renew()
    finally:
        first.release()
    assert second.acquire() is None
    second.release()


def test_a_lease_left_by_a_dead_or_late_holder_is_taken_over(hub: NightlyHub) -> None:
    if hub.engine.dialect.name == "postgresql":
        pytest.skip("the server drops an advisory lock with its connection: nothing is left")
    host = socket.gethostname()
    lease = NightlyLease.__table__
    late = datetime.now().astimezone() - timedelta(seconds=1)
    far = datetime.now().astimezone() + timedelta(hours=1)
    for owner, until, free in (
        (f"{host}:{2**22 + 12345}:dead", far, True),  # beyond pid_max: no such process
        (f"{host}:{os.getpid()}:alive", far, False),
        ("elsewhere:1:late", late, True),
        ("elsewhere:1:busy", far, False),
    ):
        with hub.engine.begin() as conn:
            conn.execute(
                update(lease).where(lease.c.id == LEASE_ID).values(owner=owner, expires_at=until)
            )
        lock = NightlyLock(hub.engine)
        assert (lock.acquire() is None) is free, owner
        lock.release()


def test_a_second_cli_run_is_refused_while_one_runs(hub: NightlyHub) -> None:
    hold = hub.hold("relink")
    first = hub.spawn(
        "nightly",
        "--date",
        DAY,
        log=hub.tmp / "first.log",
        HUB_NIGHTLY_HOLD=f"before:relink:{hold}",
    )
    try:
        wait_for(lambda: hold.with_suffix(".reached").exists() or first.poll() is not None)
        refused = hub.run("nightly", "--date", DAY)
        assert refused.returncode == 3
        assert "not started" in refused.stderr and "another hub process" in refused.stderr
        hold.touch()
        assert first.wait(timeout=30) == 0, (hub.tmp / "first.log").read_text()
    finally:
        if first.poll() is None:
            first.send_signal(signal.SIGKILL)
            first.wait()
    runs = _runs(hub)
    assert [(r.status, r.trigger) for r in runs] == [("succeeded", "cli")]


# Seconds two `hub serve` processes are given to start before their schedulers fire; a second
# try gives more (a loaded machine took over 25 s), as a scheduler started past its second waits
# a day.
STARTUP = (12, 60)


def test_two_schedulers_fire_and_exactly_one_runs(hub: NightlyHub) -> None:
    hold = hub.hold("relink")
    # Both fire at the same second; the winner waits (before its first step, so holding the
    # lock but no transaction) until the loser has tried and logged that it skipped.
    for startup in STARTUP:
        logs, servers = _two_schedulers(hub, hold, startup)
        if all(_fires_as_asked(log) for log in logs):
            break
        _stop(servers)
    else:
        raise AssertionError("the servers never started before their schedulers fired")
    try:
        wait = startup + 15
        wait_for(lambda: hold.with_suffix(".reached").exists(), timeout=wait, what="a run")
        wait_for(
            lambda: any("nightly run skipped" in log.read_text() for log in logs),
            timeout=wait,
            what="the second scheduler to skip",
        )
        hold.touch()
        wait_for(lambda: [r.status for r in _runs(hub)] == ["succeeded"], what="the run")
    finally:
        _stop(servers)
    texts = [log.read_text() for log in logs]
    assert sum("nightly run skipped" in t for t in texts) == 1, texts
    assert sum("succeeded in" in t and "nightly run for" in t for t in texts) == 1, texts
    [run] = _runs(hub)
    assert run.trigger == "scheduler"


def _two_schedulers(
    hub: NightlyHub, hold: Path, startup: int
) -> tuple[list[Path], list[subprocess.Popen[bytes]]]:
    """Two `hub serve --scheduler` told to fire `startup` seconds from now, once both serve."""
    at = datetime.now(ZoneInfo("Europe/Amsterdam")) + timedelta(seconds=startup)
    ports = [free_port(), free_port()]
    logs = [hub.tmp / f"serve-{port}.log" for port in ports]
    servers = [
        hub.spawn(
            "serve",
            "--scheduler",
            "--port",
            str(port),
            log=log,
            HUB_NIGHTLY_AT=at.strftime("%H:%M:%S"),
            HUB_NIGHTLY_HOLD=f"before:relink:{hold}",
        )
        for port, log in zip(ports, logs, strict=True)
    ]
    try:
        for port in ports:
            wait_for(lambda port=port: _healthy(port), timeout=startup + 30, what="the hub")
    except AssertionError:
        _stop(servers)
        raise
    return logs, servers


def _fires_as_asked(log: Path) -> bool:
    """Whether the server's scheduler fires within a minute (it started before the second it
    was given; otherwise it waits a day)."""
    line = next((x for x in log.read_text().splitlines() if "; next at " in x), "")
    fires = datetime.fromisoformat(line.rsplit("next at ", 1)[-1]) if line else None
    return fires is not None and fires - datetime.now(fires.tzinfo) < timedelta(minutes=1)


def _stop(servers: list[subprocess.Popen[bytes]]) -> None:
    for server in servers:
        server.send_signal(signal.SIGTERM)
    for server in servers:
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_the_schedule_follows_the_settings(hub: NightlyHub) -> None:
    from hub.nightly.scheduler import NightlyScheduler

    zone = ZoneInfo("Europe/Amsterdam")
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=zone)
    default = NightlyScheduler(hub.settings, hub.engine, hub.sessions).trigger
    fires = default.get_next_fire_time(None, summer)
    assert fires is not None and (fires.hour, fires.minute, fires.utcoffset()) == (
        2,
        0,
        timedelta(hours=2),  # summer time: 02:00 in Amsterdam is 00:00 UTC
    )
    later = hub.settings.model_copy(update={"nightly_at": "03:30"})
    fires = NightlyScheduler(later, hub.engine, hub.sessions).trigger.get_next_fire_time(
        None, summer
    )
    assert fires is not None and (fires.hour, fires.minute) == (3, 30)
    with pytest.raises(ValueError, match="HH:MM"):
        Settings(nightly_at="25:00")
    with pytest.raises(ValueError, match="unknown time zone"):
        Settings(nightly_timezone="Europe/Atlantis")
