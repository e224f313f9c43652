"""A live hub seeded with the demo (`hub demo`'s agencies, covenants and synthetic cases), for
the tests that look at the UI in a real browser."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from hub.config import Settings
from hub.db import migrate
from hub.demo.seed import seed
from tests.conftest import LiveServer, ThrowawayDatabase, free_port
from tests.ui.helpers import Account
from tests.ui.test_pages import make_analyst


@dataclass
class DemoHub:
    server: LiveServer
    riec: Account  # RIEC Amsterdam-Amstelland: sees its region pseudonymised
    rotterdam: Account  # the municipality of Rotterdam: sees only its own signals

    @property
    def url(self) -> str:
        return self.server.url


@contextmanager
def demo_hub(
    db_factory: Callable[[str], ThrowawayDatabase],
    tmp_path_factory: pytest.TempPathFactory,
    label: str,
) -> Iterator[DemoHub]:
    """Seed a fresh database with the demo and serve it until the block ends."""
    db = db_factory(label)
    migrate(db.url)
    settings = Settings(
        data_dir=tmp_path_factory.mktemp(label),
        database_url=db.url,
        issuer=f"http://127.0.0.1:{free_port()}",
    )
    seed(settings)
    live = LiveServer(settings)
    live.start()
    try:
        sessions = live.app.state.sessions
        riec = make_analyst(sessions, "RIEC-AA", "a.jansen")
        yield DemoHub(live, riec, make_analyst(sessions, "GM0599", "r.bakker"))
    finally:
        live.stop()
