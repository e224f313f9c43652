"""The audit sequencer: chains committed events into the hash chain, away from the requests.

A request writes its audit events in its own transaction, unsealed (no `seq`, `prev_hash` or
`hash`), so no two requests wait on each other for the chain. The sequencer then takes the events
it can see, that is the committed ones, gives each the next place in the chain and its hash
(`hub.audit.chain.link`, the same rule as before), moves the head row and now and then signs a
checkpoint of the head. It picks events by the unsealed marker (`seq IS NULL`), never "ids above
the last one sealed": a transaction that drew a lower id may commit after one with a higher id,
and its events are sealed in the next round, later in the chain.

Only one sequencer seals at a time, across hub processes: a round holds the head row's lock
(PostgreSQL, `FOR UPDATE`; another process's round skips instead of waiting), and SQLite lets one
writer in at a time anyway. The unique index on `seq` would refuse a double seal besides.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, String, event, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from hub.audit.chain import link, sign_head
from hub.audit.models import HEAD_ID, AuditCheckpoint, AuditEvent, AuditHead
from hub.db import now, transaction
from hub.kit.listparam import array_param

log = logging.getLogger(__name__)

BATCH = 5000  # events sealed per transaction
# Rounds at most this often: under load a round seals what many commits wrote at once. Each
# round costs some seven statements whatever it seals; at 0.05 s, single posts at 100/s made
# the sequencer a tenth of the hub's busy time. Far inside the tail's bound (5 s).
MIN_GAP_SECONDS = 0.25

# The sequencers running in this process, woken when a transaction that wrote events commits.
_wakers: set[threading.Event] = set()


def wake_on_commit(session: Session) -> None:
    """Wake this process's sequencer once the session's transaction commits."""
    if not session.info.get("audit_wake"):
        session.info["audit_wake"] = True
        event.listen(session, "after_commit", _woken, once=True)


def _woken(session: Session) -> None:
    session.info.pop("audit_wake", None)
    for waker in list(_wakers):
        waker.set()


@dataclass(frozen=True)
class Round:
    """What one call of `seal_pending` did; `skipped` when another sequencer held the chain."""

    sealed: int
    head_seq: int
    checkpoint_seq: int | None
    skipped: bool = False


def _take_head(session: Session, *, wait: bool) -> AuditHead | None:
    query = select(AuditHead).where(AuditHead.id == HEAD_ID)
    if session.get_bind().dialect.name == "postgresql":
        # SKIP LOCKED: the sequencer of another hub process is sealing; it will seal these too.
        query = query.with_for_update(skip_locked=not wait)
    # SQLite: every hub transaction begins IMMEDIATE, so this one is already the only writer.
    return session.scalars(query).first()


def seal_pending(
    session: Session,
    key: Any | None = None,
    *,
    wait: bool = False,
    checkpoint_after: timedelta | None = timedelta(0),
    batch: int = BATCH,
) -> Round:
    """Seal up to `batch` committed unsealed events, oldest id first, in this transaction.

    With `key` (the hub's private signing key) also sign a checkpoint of the new head when the
    newest checkpoint is older than `checkpoint_after` (None: never) and the head has moved.
    """
    head = _take_head(session, wait=wait)
    if head is None:
        return Round(0, 0, None, skipped=True)
    table = AuditEvent.__table__
    rows = [
        dict(row)
        for row in session.execute(
            select(table).where(table.c.seq.is_(None)).order_by(table.c.id).limit(batch)
        ).mappings()
    ]
    start, prev = head.seq, head.hash
    for offset, row in enumerate(rows, start=1):
        row["seq"] = start + offset
        row["prev_hash"] = prev
        row["hash"] = prev = link(prev, row)
    if rows:
        _place(session, rows)
        placed = session.scalar(select(func.count()).where(table.c.seq > start))
        if placed != len(rows):
            # Never expected (the head row's lock admits one sequencer); refuse rather than fork.
            raise RuntimeError("the audit chain moved under the sequencer; round rolled back")
        head.seq, head.hash = start + len(rows), prev
        session.flush()
    signed = None
    if key is not None and checkpoint_after is not None:
        signed = _checkpoint(session, key, head, checkpoint_after)
    return Round(len(rows), head.seq, signed)


# PostgreSQL: the whole round in one statement of fixed text, its values as arrays; 5,000
# single-row updates cost half of a round's time, in the hub and in the database.
_EVENTS = AuditEvent.__table__
_PLACES = (
    func.unnest(
        array_param("ids", BigInteger()),
        array_param("seqs", BigInteger()),
        array_param("prev_hashes", String()),
        array_param("hashes", String()),
    )
    .table_valued("id", "seq", "prev_hash", "hash")
    .render_derived()
)
_PLACE_ALL = (
    update(_EVENTS)
    .where(_EVENTS.c.id == _PLACES.c.id)
    .values(seq=_PLACES.c.seq, prev_hash=_PLACES.c.prev_hash, hash=_PLACES.c.hash)
)


def _place(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write each event's place in the chain: its seq, prev_hash and hash."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            _PLACE_ALL,
            {
                "ids": [r["id"] for r in rows],
                "seqs": [r["seq"] for r in rows],
                "prev_hashes": [r["prev_hash"] for r in rows],
                "hashes": [r["hash"] for r in rows],
            },
        )
        return
    session.execute(
        update(AuditEvent),
        [
            {"id": r["id"], "seq": r["seq"], "prev_hash": r["prev_hash"], "hash": r["hash"]}
            for r in rows
        ],
    )


def _checkpoint(session: Session, key: Any, head: AuditHead, every: timedelta) -> int | None:
    last = session.execute(
        select(AuditCheckpoint.seq, AuditCheckpoint.signed_at)
        .order_by(AuditCheckpoint.id.desc())
        .limit(1)
    ).first()
    at = now()
    if head.seq == 0 or (
        last is not None and (last.seq == head.seq or at - last.signed_at < every)
    ):
        return None
    session.add(
        AuditCheckpoint(
            seq=head.seq, hash=head.hash, signed_at=at, token=sign_head(head.seq, head.hash, key)
        )
    )
    session.flush()
    return head.seq


def tail(session: Session) -> tuple[int, datetime | None]:
    """How many committed events wait to be sealed, and when the oldest of them occurred."""
    count, oldest = session.execute(
        select(func.count(), func.min(AuditEvent.occurred_at)).where(AuditEvent.seq.is_(None))
    ).one()
    return count, oldest


class Sequencer:
    """Seals the audit trail in a background thread, woken by commits that wrote events and
    polling for those written by other hub processes."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        keys: Any,
        *,
        poll_seconds: float = 1.0,
        checkpoint_seconds: float = 60.0,
        batch: int = BATCH,
    ) -> None:
        self.sessions = sessions
        self.keys = keys  # hub.auth.keys.SigningKeys: the active key signs each checkpoint
        self.poll_seconds = poll_seconds
        self.checkpoint_after = timedelta(seconds=checkpoint_seconds)
        self.batch = batch
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self, *, wait: bool = False) -> int:
        """Seal everything committed so far, batch by batch, in this thread; events sealed."""
        done = 0
        while True:
            with transaction(self.sessions) as session:
                result = seal_pending(
                    session,
                    self.keys.active(),
                    wait=wait,
                    checkpoint_after=self.checkpoint_after,
                    batch=self.batch,
                )
            done += result.sealed
            if result.skipped or result.sealed < self.batch or self._stop.is_set():
                return done

    def start(self) -> None:
        """Run in a daemon thread, starting with what an earlier run left unsealed."""
        self._stop.clear()
        self._wake.set()
        _wakers.add(self._wake)
        self._thread = threading.Thread(target=self._run, name="audit-sequencer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread, then seal what the last requests committed (one batch at most)."""
        _wakers.discard(self._wake)
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
            try:
                self.run_once()
            except Exception as error:
                # Left for the next sequencer to seal; the type only, as in _run.
                log.error("sealing the audit trail at shutdown failed (%s)", type(error).__name__)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            self._wake.wait(self.poll_seconds * (2 ** min(failures, 4)))
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.run_once()
                failures = 0
            except Exception as error:
                # The events stay unsealed and are tried again; the type only, as a message
                # may quote values.
                failures += 1
                log.error("sealing the audit trail failed (%s)", type(error).__name__)
            self._stop.wait(MIN_GAP_SECONDS)
