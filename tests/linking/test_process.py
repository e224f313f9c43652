"""`hub serve` links in one process beside its API processes, which only queue."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from hub.config import Settings
from hub.linking.models import LinkQueueItem
from hub.linking.process import _listen
from hub.linking.queue import CHANNEL, LinkWorker, enqueue
from hub.signals.models import Signal
from tests.conftest import LiveServer, free_port
from tests.linking.conftest import link_workers, linker_for

HUB = str(Path(sys.executable).with_name("hub"))


def _queued(sessions) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(LinkQueueItem)) or 0


def _serve(settings: Settings, log: Path, *extra: str, **env: str) -> subprocess.Popen[bytes]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")} | {
        "HUB_DATABASE_URL": settings.database_url,
        "HUB_DATA_DIR": str(settings.data_dir),
        **env,
    }
    with log.open("wb") as sink:
        return subprocess.Popen(
            [HUB, "serve", "--port", str(free_port()), *extra],
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )


def _wait(condition, seconds: float, what: str, process=None, log=None) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if process is not None:
            assert process.poll() is None, log.read_text() if log else process.returncode
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _linking_slowly(settings: Settings, sessions, queued: int, log: Path):  # type: ignore[no-untyped-def]
    """`hub serve` on the queued hub, once its one worker has begun linking a backlog that, in
    batches of one and never by a relink, outlasts the test: the process and the worker's pid."""
    process = _serve(settings, log, HUB_LINK_BATCH_SIZE="1", HUB_LINK_RELINK_SHARE="0")
    try:
        _wait(lambda: _queued(sessions) < queued, 30, "linking never started", process, log)
        (worker,) = link_workers(settings.data_dir)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return process, worker


def test_hub_serve_links_the_queue_in_one_worker_beside_its_api_processes(
    queued_hub, tmp_path: Path
) -> None:
    settings, sessions, queued = queued_hub
    log = tmp_path / "serve.log"
    process = _serve(settings, log, "--workers", "2")
    try:
        _wait(lambda: _queued(sessions) == 0, 60, "the queue was never linked", process, log)
        # Two API processes, one linking worker.
        assert len(link_workers(settings.data_dir)) == 1
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert queued > 0
    assert link_workers(settings.data_dir) == [], log.read_text()
    # It ended cleanly: no interpreter abort at its exit, no restart.
    assert "Fatal Python error" not in log.read_text()
    assert "the linking worker exited" not in log.read_text()


def test_hub_serve_without_its_worker_only_queues(queued_hub, tmp_path: Path) -> None:
    """For a deployment whose `hub link-worker` runs elsewhere (its own service)."""
    settings, sessions, queued = queued_hub
    log = tmp_path / "serve.log"
    process = _serve(settings, log, "--no-link-worker")
    try:
        _wait(lambda: "Application startup complete" in log.read_text(), 30, "no start", process)
        time.sleep(1.5)  # a worker would have started linking the backlog by now
        assert link_workers(settings.data_dir) == []
        assert _queued(sessions) == queued
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)


def test_the_worker_stops_when_hub_serve_is_killed_and_leaves_the_rest_queued(
    queued_hub, tmp_path: Path
) -> None:
    settings, sessions, queued = queued_hub
    log = tmp_path / "serve.log"
    process, _ = _linking_slowly(settings, sessions, queued, log)
    try:
        process.kill()  # kill -9: no handler runs, only the pipe to the worker closes
        process.wait()
        _wait(lambda: not link_workers(settings.data_dir), 10, "the worker outlived hub serve")
    finally:
        if process.poll() is None:
            process.kill()
        for pid in link_workers(settings.data_dir):
            os.kill(pid, signal.SIGKILL)
    assert 0 < _queued(sessions) < queued


def test_hub_serve_starts_another_worker_when_its_worker_dies(queued_hub, tmp_path: Path) -> None:
    settings, sessions, queued = queued_hub
    log = tmp_path / "serve.log"
    process, first = _linking_slowly(settings, sessions, queued, log)
    try:
        os.kill(first, signal.SIGKILL)  # its step rolls back; its rows stay queued
        _wait(
            lambda: link_workers(settings.data_dir) not in ([], [first]),
            15,
            "no worker was started in its place",
            process,
            log,
        )
        left = _queued(sessions)
        _wait(lambda: _queued(sessions) < left, 30, "the new worker does not link", process, log)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert "the linking worker exited (-9); starting another in 1 s" in log.read_text()
    assert link_workers(settings.data_dir) == []


def test_a_worker_stopped_on_purpose_is_not_replaced(queued_hub, tmp_path: Path) -> None:
    """SIGTERM to the worker alone (an operator, or Ctrl-C reaching the process group): it
    ends cleanly, and `hub serve` does not undo that."""
    settings, sessions, queued = queued_hub
    log = tmp_path / "serve.log"
    process, worker = _linking_slowly(settings, sessions, queued, log)
    try:
        os.kill(worker, signal.SIGTERM)
        _wait(lambda: "starting no other" in log.read_text(), 15, "no word of it", process, log)
        time.sleep(2.5)  # past the first restart's pause
        assert link_workers(settings.data_dir) == []
        assert process.poll() is None  # the API goes on serving
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)


def test_an_api_process_told_not_to_link_only_queues(queued_hub) -> None:
    settings, sessions, queued = queued_hub
    live = LiveServer(
        settings.model_copy(
            update={"link_in_server": False, "issuer": f"http://127.0.0.1:{free_port()}"}
        )
    )
    live.start()
    try:
        # Its worker would have started at once with a backlog waiting (test_shutdown.py).
        time.sleep(1.0)
        assert _queued(sessions) == queued
        assert live.app.state.link_worker.drain(until_short=True) > 0  # it can, when asked
    finally:
        live.stop()


def test_an_idle_worker_looks_at_the_queue_without_taking_the_linking_lock(queued_hub) -> None:
    """A worker in its own process polls often; on SQLite the lock is the one writer's."""
    settings, sessions, _ = queued_hub
    worker = LinkWorker(sessions, linker_for(settings), poll_seconds=0.02)
    worker.drain()
    engine = sessions.kw["bind"]
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement.lower())

    event.listen(engine, "before_cursor_execute", seen)
    thread = threading.Thread(target=worker.run, daemon=True)
    try:
        thread.start()
        time.sleep(0.6)  # a dozen polls of an empty queue
        idle = list(statements)
        with sessions.begin() as session:
            ids = session.scalars(select(LinkQueueItem.signal_id)).all()
            assert not ids
            enqueue(session, [session.scalars(select(Signal.id)).first()])
        deadline = time.monotonic() + 10
        while _queued(sessions):
            assert time.monotonic() < deadline, "a poll never found the queued signal"
            time.sleep(0.02)
    finally:
        worker.stop()
        event.remove(engine, "before_cursor_execute", seen)
    assert len(idle) >= 5
    assert not [s for s in idle if "linking_lock" in s]


postgresql_only = pytest.mark.skipif(
    not (os.environ.get("HUB_TEST_DATABASE_URL") or "").startswith("postgresql"),
    reason="LISTEN/NOTIFY is PostgreSQL's; on SQLite the worker polls (tested above)",
)


@postgresql_only
def test_a_queueing_commit_notifies_and_only_when_it_commits(queued_hub) -> None:
    _, sessions, _ = queued_hub
    listener = sessions.kw["bind"].raw_connection()
    driver = listener.driver_connection
    listener.detach()
    try:
        driver.autocommit = True
        driver.execute(f"LISTEN {CHANNEL}")
        with sessions() as session:
            enqueue(session, [session.scalars(select(Signal.id)).first()])
            session.flush()
            assert list(driver.notifies(timeout=0.5)) == []  # not before the commit
            session.commit()
        assert [n.channel for n in driver.notifies(timeout=5, stop_after=1)] == [CHANNEL]
    finally:
        listener.close()


@postgresql_only
def test_a_worker_in_its_own_process_is_woken_by_the_notification_not_its_poll(
    queued_hub,
) -> None:
    settings, sessions, _ = queued_hub
    worker = LinkWorker(sessions, linker_for(settings), poll_seconds=60)
    worker.drain()
    listening = threading.Thread(target=_listen, args=(worker, sessions.kw["bind"]), daemon=True)
    linking = threading.Thread(target=worker.run, daemon=True)
    try:
        listening.start()
        linking.start()
        time.sleep(1.0)  # both idle now: the first poll is a minute away
        with sessions.begin() as session:
            enqueue(session, [session.scalars(select(Signal.id)).first()])
        _wait(lambda: _queued(sessions) == 0, 10, "the notification did not wake the worker")
    finally:
        worker.stop()
        listening.join(5)
    assert not listening.is_alive()
