"""Linking in a process of its own, beside the API processes of `hub serve`.

A worker thread in each API process shared that process's interpreter lock with the requests:
a batch POST waited for the linker's Python, and the linker for the POST's (bench/README.md).
`hub serve` therefore starts one `hub link-worker` process beside its API processes and tells
them only to queue (HUB_LINK_IN_SERVER=false). On PostgreSQL a queueing commit notifies it
(LISTEN/NOTIFY) and it polls as a fallback; on SQLite it polls every quarter of a second. It
stops between rounds on SIGTERM or SIGINT, or when the `hub serve` that started it is gone.
Linking stays safe to stop at any point: a step is one transaction, so what it did not finish
stays queued (hub.linking.queue).
"""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.config import Settings
from hub.kit.crypto import DataKeys
from hub.linking.queue import CHANNEL, GATHER_SECONDS, LinkWorker
from hub.linking.service import Linker

log = logging.getLogger(__name__)

# How often a worker in its own process looks at the queue where nothing notifies it (SQLite):
# every post is another process's, and one look is an index probe.
POLL_SECONDS = GATHER_SECONDS
# How long one wait for notifications lasts (a stop is seen between two), and the pause before
# listening again after the connection failed.
LISTEN_SECONDS = 1.0
LISTEN_RETRY_SECONDS = 5.0
# After the API processes stopped, the worker gets this long to end between rounds before it is
# killed (which loses nothing: its step rolls back). uvicorn's graceful stop takes up to 5 s, and
# SIGTERM must end `hub serve` within 10 s.
STOP_SECONDS = 3.0
# How often `hub serve` checks that its worker still runs, and the longest pause before it
# starts another after one died (1, 2, 4 ... seconds while they keep dying).
WATCH_SECONDS = 1.0
RESTART_MAX_SECONDS = 60.0


def worker_for(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    weights: dict[str, float],
    keys: DataKeys,
    own_process: bool = False,
) -> LinkWorker:
    """The hub's linking worker, as its settings configure it (`own_process`: for a process
    that does nothing else, which polls often where nothing notifies it)."""
    notified = sessions.kw["bind"].dialect.name == "postgresql"
    return LinkWorker(
        sessions,
        Linker(weights, keys),
        batch=settings.link_batch_size,
        poll_seconds=POLL_SECONDS if own_process and not notified else settings.link_poll_seconds,
        relink_share=settings.link_relink_share,
    )


def run_until_stopped(worker: LinkWorker, *, stop_with_parent: bool) -> None:
    """Link in this thread until SIGTERM or SIGINT, or, with `stop_with_parent`, until standard
    input closes (the `hub serve` that started this process holds its other end)."""

    def stop(_signum: int, _frame: FrameType | None) -> None:
        worker.request_stop()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    if stop_with_parent:
        threading.Thread(target=_stop_at_eof, args=(worker,), daemon=True).start()
    engine = worker.sessions.kw["bind"]
    if engine.dialect.name == "postgresql":
        threading.Thread(target=_listen, args=(worker, engine), daemon=True).start()
    worker.run()


def _listen(worker: LinkWorker, engine: Engine) -> None:
    """Wake the worker whenever a hub process commits queued signals (PostgreSQL's NOTIFY), on
    a connection of its own; while that fails the worker's poll still finds them."""
    while not worker.stopping:
        connection = None
        try:
            connection = engine.raw_connection()
            driver = connection.driver_connection
            connection.detach()  # held for good, in autocommit: not the pool's any more
            driver.autocommit = True
            driver.execute(f"LISTEN {CHANNEL}")
            worker.wake()  # what was queued while nobody listened
            while not worker.stopping:
                for _ in driver.notifies(timeout=LISTEN_SECONDS):
                    worker.wake()
        except Exception as error:
            # The type only: a driver's message may quote the connection's parameters.
            log.warning("listening for queued signals failed (%s); polling", type(error).__name__)
            time.sleep(LISTEN_RETRY_SECONDS)
        finally:
            if connection is not None:
                connection.close()


def _stop_at_eof(worker: LinkWorker) -> None:
    # Read until EOF: the pipe closes when its writer exits, however it ends (even kill -9).
    # The descriptor, not sys.stdin: a daemon thread blocked in a buffered read holds the
    # buffer's lock, and the interpreter aborted on it at exit (a clean stop ended in SIGABRT).
    while os.read(sys.stdin.fileno(), 4096):
        pass
    worker.request_stop()


@contextmanager
def worker_beside() -> Iterator[None]:
    """Keep one `hub link-worker` running in a child process for the duration; stop it after.

    Also when uvicorn re-raises the SIGTERM or SIGINT it shut down on: the handler installed
    here is the one it restores and raises, so the worker is stopped before the process ends.
    """
    keeper = _Keeper()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def stop_then_go_on(signum: int, frame: FrameType | None) -> None:
        keeper.stop()
        signal.signal(signum, previous[signum])
        signal.raise_signal(signum)

    for sig in previous:
        signal.signal(sig, stop_then_go_on)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        keeper.stop()


class _Keeper:
    """Starts the worker, starts another when it dies (after a growing pause), stops it."""

    def __init__(self) -> None:
        # Reentrant: a signal's handler may stop the keeper while the main thread stops it.
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._child = self._start()
        threading.Thread(target=self._watch, name="link-worker-keeper", daemon=True).start()

    @staticmethod
    def _start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "hub", "link-worker", "--stop-with-parent"],
            stdin=subprocess.PIPE,
        )

    def _watch(self) -> None:
        failures, started = 0, time.monotonic()
        while not self._stopping.wait(WATCH_SECONDS):
            code = self._child.poll()
            if code is None:
                continue
            if code == 0:
                # It was asked to stop (Ctrl-C reaches the whole process group, a service
                # manager may signal every process): the hub is going down, or an operator
                # stopped it on purpose. Starting another would undo either.
                log.info("the linking worker stopped; starting no other")
                return
            # A worker that ran for a while before it died starts the count again.
            failures = 1 if time.monotonic() - started > RESTART_MAX_SECONDS else failures + 1
            pause = min(RESTART_MAX_SECONDS, 2.0 ** (failures - 1))
            log.error("the linking worker exited (%s); starting another in %g s", code, pause)
            if self._stopping.wait(pause):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                _stop(self._child)  # gone already: this closes its pipe
                self._child, started = self._start(), time.monotonic()

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
            _stop(self._child)


def _stop(child: subprocess.Popen[bytes]) -> None:
    """Stop the worker if it runs, and close our end of its pipe either way."""
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            log.warning("the linking worker did not stop within %g s; killed it", STOP_SECONDS)
            child.kill()
            child.wait()
    if child.stdin is not None:
        child.stdin.close()
