"""One nightly run at a time, across every hub process and host sharing the database.

PostgreSQL: a session-level advisory lock (pg_try_advisory_lock) on a connection of its own,
held for the whole run; the server drops it the moment that connection ends, so a killed run
never leaves it behind. SQLite: the one row of `nightly_lease`, taken with an atomic
conditional UPDATE and renewed between steps; a lease whose holder died on this host (its
process is gone) or whose time ran out may be taken over.
"""

import hashlib
import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, or_, select, text, update
from sqlalchemy.exc import OperationalError

from hub.db import now
from hub.nightly.models import NightlyLease

LEASE_ID = 1


class LockLost(RuntimeError):
    """The run no longer holds the nightly lock (its lease ran out, or its connection died)."""


def _advisory_key(conn: Connection) -> int:
    # Advisory locks are per database; one key per schema keeps hubs (and test runs) that
    # share a database in separate schemas apart.
    where = conn.execute(text("SELECT current_database() || '.' || current_schema()")).scalar()
    digest = hashlib.blake2b(f"barrier-hub:nightly:{where}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _holder_is_gone(owner: str) -> bool:
    """True when the lease names a process on this host that no longer exists."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        return False
    return False


class NightlyLock:
    """Take with `acquire()` (None when taken, else why not), `renew()` between steps,
    `release()` at the end."""

    def __init__(self, engine: Engine, *, lease_seconds: int = 3600) -> None:
        self.engine = engine
        self.lease = timedelta(seconds=lease_seconds)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._conn: Connection | None = None
        self._key = 0
        self.held = False

    @property
    def postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def acquire(self) -> str | None:
        """Take the lock without waiting for it: None when taken, else the reason it was not."""
        if self.postgresql:
            return self._acquire_advisory()
        return self._acquire_lease()

    def _acquire_advisory(self) -> str | None:
        # Autocommit: holding the lock must not hold a transaction open (that would stall
        # VACUUM and keep old row versions alive for the whole run).
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        key = _advisory_key(conn)
        if not conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar():
            conn.close()
            return "another hub process holds the nightly lock (a PostgreSQL advisory lock)"
        self._conn, self._key, self.held = conn, key, True
        return None

    def _acquire_lease(self) -> str | None:
        lease = NightlyLease.__table__
        try:
            with self.engine.begin() as conn:
                holder, until = conn.execute(
                    select(lease.c.owner, lease.c.expires_at).where(lease.c.id == LEASE_ID)
                ).one()
                at = now()
                stale = holder if holder is not None and _holder_is_gone(holder) else None
                taken = conn.execute(
                    update(lease)
                    .where(
                        lease.c.id == LEASE_ID,
                        or_(
                            lease.c.owner.is_(None),
                            lease.c.expires_at < at,
                            lease.c.owner == (stale or self.owner),
                        ),
                    )
                    .values(owner=self.owner, expires_at=at + self.lease)
                ).rowcount
        except OperationalError:
            return "the database stayed locked by another writer; try again later"
        if taken != 1:
            return f"another hub process holds the nightly lease ({holder}, until {_utc(until)})"
        self.held = True
        return None

    def renew(self) -> None:
        """Confirm the lock is still ours (and extend the lease); LockLost when it is not."""
        if not self.held:
            raise LockLost("the nightly lock is not held")
        if self.postgresql:
            assert self._conn is not None
            try:
                self._conn.execute(text("SELECT 1"))
            except OperationalError as exc:
                self.held = False
                raise LockLost("the connection holding the advisory lock ended") from exc
            return
        lease = NightlyLease.__table__
        with self.engine.begin() as conn:
            kept = conn.execute(
                update(lease)
                .where(lease.c.id == LEASE_ID, lease.c.owner == self.owner)
                .values(expires_at=now() + self.lease)
            ).rowcount
        if kept != 1:
            self.held = False
            raise LockLost("the nightly lease ran out and another process took it")

    def release(self) -> None:
        """Give the lock up (safe to call when it is not held)."""
        if self.postgresql:
            if self._conn is not None:
                try:
                    if self.held:
                        self._conn.execute(
                            text("SELECT pg_advisory_unlock(:key)"), {"key": self._key}
                        )
                finally:
                    self._conn.close()
                    self._conn = None
        elif self.held:
            lease = NightlyLease.__table__
            with self.engine.begin() as conn:
                conn.execute(
                    update(lease)
                    .where(lease.c.id == LEASE_ID, lease.c.owner == self.owner)
                    .values(owner=None, expires_at=None)
                )
        self.held = False


def _utc(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else "?"
