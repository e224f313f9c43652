"""Fixtures of the linking tests."""

from pathlib import Path

import pytest
from sqlalchemy import select

from hub.barriers.vocabulary import load_vocabulary
from hub.config import Settings
from hub.db import make_engine, make_sessionmaker, migrate, transaction
from hub.demo.seed import seed
from hub.kit.crypto import DataKeys
from hub.linking.queue import enqueue
from hub.linking.service import Linker
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


def link_workers(data_dir: Path) -> list[int]:
    """Live `hub link-worker` processes serving this data folder (so no other test's count)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            environment = (entry / "environ").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if (
            state != "Z"
            and b"link-worker" in command
            and (f"HUB_DATA_DIR={data_dir}".encode() in environment)
        ):
            found.append(int(entry.name))
    return found


def linker_for(settings: Settings) -> Linker:
    """The hub's linker, as a hub with these settings makes it."""
    vocabulary = load_vocabulary(settings.barriers_dir)
    return Linker(vocabulary.indicator_weights(), DataKeys.load_or_create(settings.data_dir))
