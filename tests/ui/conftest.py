"""Fixtures of the UI tests: the live hub with probe pages, accounts, browser-like clients."""

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import LiveServer
from tests.ui.demo import DemoHub, demo_hub
from tests.ui.helpers import ENGLISH, Account, add_probe, new_account, signed_in_client


@pytest.fixture(scope="session")
def hub(server: LiveServer) -> LiveServer:
    add_probe(server.app)
    return server


@pytest.fixture(scope="session")
def demo(db_factory, tmp_path_factory) -> Iterator[DemoHub]:  # type: ignore[no-untyped-def]
    """One demo hub for the browser tests that only add to it (accessibility, the graph), so
    the demo is seeded once. Each module's checks hold whatever the other added, in any order;
    a module that changes the demo's proposals seeds a hub of its own."""
    with demo_hub(db_factory, tmp_path_factory, "uidemo") as hub:
        yield hub


@pytest.fixture
def account(hub: LiveServer, sessions: sessionmaker[Session]) -> Account:
    return new_account(sessions)


@pytest.fixture
def browser(hub: LiveServer) -> Iterator[httpx.Client]:
    """A cookie-keeping client that, like a test should, looks at each redirect itself."""
    with httpx.Client(base_url=hub.url, timeout=30, headers=ENGLISH) as client:
        yield client


@pytest.fixture
def signed_in(hub: LiveServer, account: Account) -> Iterator[httpx.Client]:
    client = signed_in_client(hub.url, account)
    try:
        yield client
    finally:
        client.close()
