"""Stopping the hub: the linking worker stops between batches and leaves the rest queued."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from hub.linking.models import LinkQueueItem
from hub.linking.queue import LinkWorker
from tests.conftest import free_port
from tests.linking.conftest import link_workers, linker_for

HUB = str(Path(sys.executable).with_name("hub"))


def _queued(sessions) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(LinkQueueItem)) or 0


def test_a_stop_request_ends_the_drain_between_batches(queued_hub) -> None:
    settings, sessions, queued = queued_hub
    linker = linker_for(settings)
    batches: list[int] = []

    def link_then_ask_to_stop(session, signal_ids, progress=None):  # type: ignore[no-untyped-def]
        # The real linker; after its first batch the hub is told to stop (as SIGTERM does).
        result = linker(session, signal_ids, progress=progress)
        batches.append(len(signal_ids))
        worker.request_stop()
        return result

    worker = LinkWorker(sessions, link_then_ask_to_stop, batch=3, catch_up=1)  # type: ignore[arg-type]
    drained = worker.drain()
    # One whole batch, one transaction; the rest stays queued for the next start.
    assert batches == [3] and drained == 3
    assert _queued(sessions) == queued - 3


def test_a_stop_request_during_a_step_rolls_it_back_between_rounds(queued_hub) -> None:
    """A step of ten batches can outlast the stop's wait: it ends between the rounds of its
    neighbourhood's read, its transaction rolled back and its rows still queued."""
    settings, sessions, queued = queued_hub
    linker = linker_for(settings)
    rounds: list[int] = []

    def stop_in_the_read(session, signal_ids, progress=None):  # type: ignore[no-untyped-def]
        def heard(done: int) -> None:
            rounds.append(done)
            worker.request_stop()  # SIGTERM arrives during the first round
            assert progress is not None
            progress(done)

        return linker(session, signal_ids, progress=heard)

    worker = LinkWorker(sessions, stop_in_the_read, batch=3)  # type: ignore[arg-type]
    assert worker.drain() == 0
    assert len(rounds) == 1 and rounds[0] > 0
    assert _queued(sessions) == queued


def test_sigterm_ends_the_hub_within_ten_seconds_and_the_next_start_links_the_rest(
    queued_hub, tmp_path: Path
) -> None:
    settings, sessions, queued = queued_hub
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")} | {
        "HUB_DATABASE_URL": settings.database_url,
        "HUB_DATA_DIR": str(settings.data_dir),
        # Small batches: the backlog takes far longer than the test waits before SIGTERM.
        "HUB_LINK_BATCH_SIZE": "1",
        # Batch by batch: a relink would link the whole backlog before SIGTERM is sent.
        "HUB_LINK_RELINK_SHARE": "0",
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [HUB, "serve", "--port", str(port)], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 30
        while _queued(sessions) == queued:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the worker never started linking"
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = process.wait(timeout=15)
        took = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
    # Uvicorn shuts down cleanly, then re-raises the signal it caught (so -SIGTERM, not 0).
    assert code in (0, -signal.SIGTERM), log.read_text()
    assert "Application shutdown complete" in log.read_text()
    assert took < 10
    assert link_workers(settings.data_dir) == []  # the linking process beside it stopped too
    assert "Fatal Python error" not in log.read_text()
    left = _queued(sessions)
    assert 0 < left < queued
    # The next start takes up exactly what was left.
    assert LinkWorker(sessions, linker_for(settings)).drain() == left
    assert _queued(sessions) == 0
