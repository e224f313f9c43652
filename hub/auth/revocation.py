"""Whether a token's client may still use it: checked on every request, cached a few seconds.

A JWT stays valid by its signature until it expires (up to six hours); this check is what makes
disabling or deleting a client take effect at once. The answer per client is cached for at most
`client_check_seconds` (5 by default), so a change made by another process (`hub clients
disable`) is seen within that time; a change made through this process's API is seen at once.
"""

import threading
import time
import weakref
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.auth.models import OAuthClient

# Caps memory if tokens of very many clients are presented within one cache period.
_MAX_ENTRIES = 10_000


class ClientStates:
    """client_id → the earliest `iat` its tokens may carry (None: no token is valid)."""

    def __init__(self, *, ttl: float) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        # Per database: the test suite and bench run hubs on different databases in one process.
        self._by_db: weakref.WeakKeyDictionary[
            sessionmaker[Session], dict[str, tuple[float, float | None]]
        ] = weakref.WeakKeyDictionary()

    def cached(self, sessions: sessionmaker[Session], client_id: str) -> tuple[bool, float | None]:
        """(hit, valid_from) from the cache; hit is False when the database must be asked."""
        with self._lock:
            entry = self._by_db.get(sessions, {}).get(client_id)
        if entry is None or time.monotonic() >= entry[0]:
            return False, None
        return True, entry[1]

    def load(self, sessions: sessionmaker[Session], client_id: str) -> float | None:
        """Ask the database (blocking) and cache the answer."""
        with sessions() as session:
            row = session.execute(
                select(OAuthClient.disabled_at, OAuthClient.tokens_valid_from).where(
                    OAuthClient.client_id == client_id
                )
            ).one_or_none()
        valid_from = _valid_from(row)
        with self._lock:
            cache = self._by_db.setdefault(sessions, {})
            if len(cache) >= _MAX_ENTRIES:
                cache.clear()
            cache[client_id] = (time.monotonic() + self._ttl, valid_from)
        return valid_from

    def forget(self, sessions: sessionmaker[Session], client_id: str) -> None:
        """Drop the cached answer (after a change made in this process)."""
        with self._lock:
            self._by_db.get(sessions, {}).pop(client_id, None)

    def refuse(self, sessions: sessionmaker[Session], client_id: str) -> None:
        """Refuse the client's tokens in this process from now on (it was disabled or deleted
        here), without waiting for the change to be committed and read back."""
        with self._lock:
            cache = self._by_db.setdefault(sessions, {})
            cache[client_id] = (time.monotonic() + self._ttl, None)


def accepts(valid_from: float | None, issued_at: float) -> bool:
    """Whether a token issued at `issued_at` (seconds) passes its client's state."""
    return valid_from is not None and issued_at >= valid_from


def _valid_from(row: tuple[datetime | None, datetime | None] | None) -> float | None:
    if row is None:
        return None  # deleted
    disabled_at, tokens_valid_from = row
    if disabled_at is not None:
        return None
    # iat has whole seconds: a token issued within the second of a disable counts as before it.
    return tokens_valid_from.timestamp() if tokens_valid_from is not None else float("-inf")
