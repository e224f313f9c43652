"""Fixtures of the linking tests."""

from pathlib import Path

import pytest
from sqlalchemy import select

from hub.config import Settings
from hub.db import make_engine, make_sessionmaker, migrate, transaction
from hub.demo.seed import seed
from hub.linking.queue import enqueue
from hub.signals.models import Signal


@pytest.fixture
def queued_hub(db_factory, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A seeded hub database whose every signal waits in the linking queue."""
    db = db_factory("shutdown")
    migrate(db.url)
    settings = Settings(data_dir=tmp_path / "data", database_url=db.url)
    seed(settings)
    engine = make_engine(db.url)
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        ids = list(session.scalars(select(Signal.id).order_by(Signal.pk)))
        # Each signal queued several times (as repeated corrections queue it): a backlog that
        # takes far longer to link one by one than a test takes to send SIGTERM.
        queued = sum(enqueue(session, ids) for _ in range(6))
    yield settings, sessions, queued
    engine.dispose()
