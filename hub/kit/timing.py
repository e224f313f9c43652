"""Where a request's time goes, for its Server-Timing header: the database and the whole.

The middleware opens a `Timing` for each request in a context variable; the engine's cursor
events add each statement's time to it. Sync routes run in a worker thread that starts from a
copy of the request's context, so they add to the same object.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event


@dataclass
class Timing:
    started: float
    db_seconds: float = 0.0
    queries: int = 0

    def header(self) -> str:
        """The Server-Timing value: database time and statements, and the total so far."""
        total = (time.perf_counter() - self.started) * 1000
        db = self.db_seconds * 1000
        return f'db;dur={db:.1f};desc="{self.queries} queries", total;dur={total:.1f}'


current: ContextVar[Timing | None] = ContextVar("hub_timing", default=None)


def start() -> Timing:
    """Begin timing the current request."""
    timing = Timing(started=time.perf_counter())
    current.set(timing)
    return timing


def track_queries(engine: Engine) -> None:
    """Add every statement's time on `engine` to the request that ran it (if one is timed)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, _cursor: Any, _sql: Any, _params: Any, _ctx: Any, _many: Any) -> None:
        conn.info["hub_query_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, _cursor: Any, _sql: Any, _params: Any, _ctx: Any, _many: Any) -> None:
        # A statement that failed left its start behind; the next one overwrites it.
        began = conn.info.pop("hub_query_started", None)
        timing = current.get()
        if timing is not None and began is not None:
            timing.db_seconds += time.perf_counter() - began
            timing.queries += 1


@contextmanager
def driver_statement() -> Iterator[None]:
    """Count a statement sent to the driver itself (a COPY), which the engine's events miss."""
    began = time.perf_counter()
    try:
        yield
    finally:
        timing = current.get()
        if timing is not None:
            timing.db_seconds += time.perf_counter() - began
            timing.queries += 1
