"""Linking off the request path: posts queue their signals, a worker in the hub links them.

A post, correction or retraction writes a queue row in its own transaction and returns; the
worker wakes when that transaction commits (`hub serve` runs it in a process of its own, woken
by NOTIFY on PostgreSQL: hub.linking.process) and re-links the queued signals in batches, so a
partner's POST never waits for the linker, and many queued signals share one neighbourhood
pass. The queue lives in the database: a crash before the worker got to a row loses nothing,
and the worker drains what is left when the hub starts. Several hub processes may each run a
worker; the linking lock serialises them.

A backlog that is a large share of the hub (a bulk load, a partner's catch-up upload) is linked
by one full relink instead: its single sorted pass over every token costs a tenth of what
growing neighbourhoods cost per signal, and gives the same proposals (hub.linking.service).
"""

import logging
import threading
import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, event, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from hub.db import now, transaction
from hub.kit.bulk import insert_rows
from hub.kit.listparam import values_of
from hub.ldv import collect as ldv
from hub.linking.graph import chunks
from hub.linking.models import LinkQueueItem
from hub.linking.service import Linker, lock
from hub.signals.models import Signal

log = logging.getLogger(__name__)

# A batch is one transaction: big enough to share neighbourhood reads, small enough that the
# proposals it rewrites are not locked for long.
BATCH = 500
# A backlog is linked up to this many batches in one step: queued together, their signals
# mostly reach the same neighbourhood, and one read of it cost a third of reading it per
# batch (bench/README.md). The step may read as much more as it links (step_limit).
CATCH_UP = 10
# After the queue ran dry, the worker waits this long before it links what came in meanwhile.
GATHER_SECONDS = 0.25
# A stopping hub waits this long for the step in hand to end (between the rounds of its read,
# or after it); SIGTERM must end the process in 10 s.
STOP_SECONDS = 8.0


# The channel a queueing commit notifies on PostgreSQL. Channels are per database, not per
# schema: a hub sharing its database with another may be woken for nothing, and then only looks.
CHANNEL = "hub_linking_queue"
_NOTIFY = text(f"NOTIFY {CHANNEL}")


class _Stopped(Exception):
    """A stop request came during a step or a relink: its transaction rolls back, the queue
    stays."""


def enqueue(session: Session, signal_ids: Iterable[uuid.UUID]) -> int:
    """Queue signals for linking in the caller's transaction; the number queued.

    On PostgreSQL the commit also notifies CHANNEL, which wakes a worker in another process
    (hub.linking.process) at once; a worker in this process is woken by the commit itself."""
    at = now()
    rows = [{"signal_id": i, "queued_at": at} for i in dict.fromkeys(signal_ids)]
    insert_rows(session, LinkQueueItem, rows)
    if rows and session.get_bind().dialect.name == "postgresql":
        # Sent when the transaction commits, never before, and once however often it is asked.
        session.execute(_NOTIFY)
    return len(rows)


def _unqueue(session: Session, seqs: list[object]) -> None:
    """Delete these queue rows (seqs bound as one parameter: see hub.kit.listparam)."""
    session.execute(delete(LinkQueueItem).where(values_of(session, LinkQueueItem.seq, seqs)))


def backlog(session: Session) -> tuple[int, datetime | None]:
    """How many queue rows wait, and since when the oldest has."""
    count, oldest = session.execute(select(func.count(), func.min(LinkQueueItem.queued_at))).one()
    return count, oldest


class LinkWorker:
    """Drains the linking queue in a background thread, waking on each commit that queued."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        linker: Linker,
        *,
        batch: int = BATCH,
        catch_up: int = CATCH_UP,
        poll_seconds: float = 2.0,
        relink_share: float = 0.0,
    ) -> None:
        self.sessions = sessions
        self.linker = linker
        self.batch = batch
        self.step = batch * catch_up
        # On PostgreSQL only: SQLite has one writer, and every post would wait for the relink.
        self.relink_share = relink_share
        # Posts to another hub process do not wake this one; the poll catches them.
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._draining = threading.Lock()
        self._thread: threading.Thread | None = None

    def queue(self, session: Session, signal_ids: Iterable[uuid.UUID]) -> None:
        """Queue signals in the caller's transaction and wake the worker once it commits."""
        if enqueue(session, signal_ids):
            event.listen(session, "after_commit", self._on_commit, once=True)

    def _on_commit(self, _session: Session) -> None:
        self.wake()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def wake(self) -> None:
        """Link what is queued now, rather than at the next poll."""
        self._wake.set()

    def drain(self, *, until_short: bool = False) -> int:
        """Link everything queued, step by step, in the calling thread; rows linked. With
        `until_short`, stop after a step that was not full: the queue was empty then.

        A stop request ends the drain between steps: a step is one transaction, so what is
        left stays queued for the next start, and a stopping hub never waits for a backlog.
        """
        done = 0
        with self._draining:
            while not self._stop.is_set():
                taken, short = self._drain_step()
                done += taken
                if not taken or (until_short and short):
                    break
        return done

    def _drain_step(self) -> tuple[int, bool]:
        try:
            return self._link_step()
        except _Stopped:
            return 0, True  # rolled back as the transaction's block was left

    def _link_step(self) -> tuple[int, bool]:
        """Link the oldest queued signals in one transaction: how many, and whether they were
        fewer than a step holds (the queue was empty then)."""
        with transaction(self.sessions) as session:
            lock(session)
            if self._relink_pays(session):
                return self._relink(session), False
            # SQLite has one writer: every post waits while a step links, so it links a batch.
            postgresql = session.get_bind().dialect.name == "postgresql"
            size = self.step if postgresql else self.batch
            rows = session.execute(
                select(LinkQueueItem.seq, LinkQueueItem.signal_id)
                .order_by(LinkQueueItem.seq)
                .limit(size)
            ).all()
            if not rows:
                return 0, True
            # A step of ten batches can outlast the stop's wait: it ends between the rounds of
            # its read, rolled back, with its rows still queued.
            self.linker(
                session,
                dict.fromkeys(signal_id for _, signal_id in rows),
                progress=self._stop_between,
            )
            # By seq, not "up to the last seq": a row with a lower seq may commit later.
            for chunk in chunks(seq for seq, _ in rows):
                _unqueue(session, chunk)
        return len(rows), len(rows) < size

    def _anything_queued(self) -> bool:
        with self.sessions() as session:
            return session.scalar(select(LinkQueueItem.seq).limit(1)) is not None

    def _stop_between(self, _done: int) -> None:
        """Called between a step's rounds or a relink's groups: a stop request ends it there."""
        if self._stop.is_set():
            raise _Stopped

    def _relink_pays(self, session: Session) -> bool:
        """Whether the backlog is so large a share of the active signals that one relink is
        cheaper than linking it step by step (two counts, only past one step queued)."""
        if not self.relink_share or session.get_bind().dialect.name != "postgresql":
            return False
        queued = session.scalar(select(func.count()).select_from(LinkQueueItem)) or 0
        if queued <= self.step:
            return False
        active = session.scalar(
            select(func.count()).select_from(Signal).where(Signal.status == "active")
        )
        return queued >= self.relink_share * (active or 0)

    def _relink(self, session: Session) -> int:
        """Link the whole queue by relinking the hub, in the caller's transaction."""
        # Read before the relink reads the tokens: each of these rows was committed, so the
        # relink sees its signal as posted. Rows committed later stay queued.
        rows = session.execute(select(LinkQueueItem.seq, LinkQueueItem.signal_id)).all()
        log.info("linking a backlog of %d queued signals by a full relink", len(rows))

        self.linker.relink(session, progress=self._stop_between)
        # The processing log names the signals compared anew, as the batch path does.
        ldv.processed(
            session,
            "linking.linked",
            signal_ids={signal_id for _, signal_id in rows},
            purpose="case-proposal",
        )
        for chunk in chunks(seq for seq, _ in rows):
            _unqueue(session, chunk)
        return len(rows)

    def start(self) -> None:
        """Run in a daemon thread, starting with what an earlier run left queued."""
        self._stop.clear()
        self._wake.set()
        self._thread = threading.Thread(target=self.run, name="link-worker", daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the worker to stop after its current batch, without waiting for it."""
        self._stop.set()
        self._wake.set()

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Ask the worker to stop after its current batch and wait up to `timeout` for it."""
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def run(self) -> None:
        """Link as signals are queued, until a stop is requested (the loop `start` runs)."""
        failures = 0
        while not self._stop.is_set():
            woken = self._wake.wait(self.poll_seconds * (2 ** min(failures, 5)))
            self._wake.clear()
            if self._stop.is_set():
                return
            # A poll first looks: a step takes the linking lock, on SQLite the one writer's.
            if not woken and not failures and not self._anything_queued():
                continue
            try:
                self.drain(until_short=True)
                failures = 0
            except Exception as error:
                # The rows stay queued and are tried again after a growing pause; the type
                # only, as a message may quote identifiers.
                failures += 1
                log.error("linking the queued signals failed (%s)", type(error).__name__)
            # Posts arriving one by one share a batch: each batch's fixed cost (the lock, the
            # neighbourhood reads, its record) was most of linking a few signals at a time.
            self._stop.wait(GATHER_SECONDS)
