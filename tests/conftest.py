"""The test harness: a migrated database and a real hub served by uvicorn on a free port.

The suite runs on SQLite by default; HUB_TEST_DATABASE_URL points it at PostgreSQL, where each
run gets a fresh schema that is dropped afterwards, so runs never see each other's rows.
Tests stay independent by creating their own agencies: a signal is visible to its source only.
"""

import itertools
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from hub.app import create_app
from hub.config import MAX_TOKEN_LIFETIME_SECONDS, Settings
from hub.db import migrate
from hub.demo.synthetic import DEMO_AGENCIES, POSTING_AGENCIES
from tests.browser import chromium  # noqa: F401 (a fixture, shared by the browser tests)
from tests.factories import Partner, PartnerFactory, signal_body


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayDatabase:
    """A fresh, empty database (SQLite file or PostgreSQL schema) for one purpose."""

    def __init__(self, base_url: str | None, tmp: Path, label: str) -> None:
        self.base_url = base_url
        self.schema = f"t_{label}_{uuid.uuid4().hex[:10]}"
        if base_url is None:
            self.url = f"sqlite:///{tmp / (self.schema + '.db')}"
            return
        url = make_url(base_url)
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
        engine.dispose()
        query = dict(url.query) | {"options": f"-csearch_path={self.schema}"}
        self.url = url.set(query=query).render_as_string(hide_password=False)

    def drop(self) -> None:
        if self.base_url is None:
            return
        engine = sa.create_engine(self.base_url)
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(scope="session")
def db_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Make throw-away databases on the backend under test; all are dropped at the end."""
    made: list[ThrowawayDatabase] = []
    base = os.environ.get("HUB_TEST_DATABASE_URL") or None
    tmp = tmp_path_factory.mktemp("db")

    def make(label: str) -> ThrowawayDatabase:
        db = ThrowawayDatabase(base, tmp, label)
        made.append(db)
        return db

    yield make
    for db in made:
        db.drop()


@pytest.fixture(scope="session")
def database_url(db_factory) -> str:  # type: ignore[no-untyped-def]
    db = db_factory("suite")
    migrate(db.url)
    return db.url


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self.url = settings.issuer
        port = int(self.url.rsplit(":", 1)[1])
        config = uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("data"),
        database_url=database_url,
        issuer=f"http://127.0.0.1:{free_port()}",
        max_body_bytes=2_000_000,
        # The suite asks for hundreds of tokens from one address; the limits have their own
        # tests (tests/auth/test_token_throttle.py), on a hub of their own.
        token_limit_per_address=1_000_000,
        token_limit_per_client=1_000_000,
        # Partners made once per module or session post for as long as the suite runs, which
        # on a loaded machine is past the default 15 minutes; expiry has its own tests
        # (tests/auth/test_keys.py, tests/auth/test_token_endpoint.py).
        token_lifetime=MAX_TOKEN_LIFETIME_SECONDS,
    )


@pytest.fixture(scope="session")
def server(settings: Settings) -> Iterator[LiveServer]:
    live = LiveServer(settings)
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def sessions(server: LiveServer) -> sessionmaker[Session]:
    return server.app.state.sessions


@pytest.fixture
def api(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
def partners(api: httpx.Client, sessions: sessionmaker[Session]) -> PartnerFactory:
    """Make agencies with a client and a real token: `partners.new(kind="kmar")`."""
    return PartnerFactory(api, sessions)


@pytest.fixture
def kmar(partners: PartnerFactory) -> Partner:
    return partners.new(kind="kmar")


@pytest.fixture(scope="session")
def vocabulary():  # type: ignore[no-untyped-def]
    from hub.barriers.vocabulary import load_vocabulary
    from hub.paths import document_dir

    return load_vocabulary(document_dir("barriers"))


REGION_OF = {"GM0363": "amsterdam-amstelland", "GM0599": "rotterdam"}
SECRET_SUMMARY = "Confidential narrative"


@dataclass
class World:
    headers: dict[str, dict[str, str]]  # agency code -> auth headers
    signals: dict[str, tuple[str, str]]  # signal id -> (source code, municipality)


@pytest.fixture(scope="session")
def world(server: LiveServer, sessions: sessionmaker[Session]) -> World:
    """The ten demo agencies under their real codes (so the shipped covenants apply), each
    posting signals about Amsterdam and Rotterdam."""
    headers: dict[str, dict[str, str]] = {}
    with httpx.Client(base_url=server.url, timeout=30) as api:
        factory = PartnerFactory(api, sessions)
        for spec in DEMO_AGENCIES:
            partner = factory.new(kind=spec["kind"], region=spec["region"], code=spec["code"])
            headers[spec["code"]] = partner.headers
        signals: dict[str, tuple[str, str]] = {}
        for source, municipality in itertools.product(POSTING_AGENCIES, REGION_OF):
            body = signal_body(
                municipality=municipality,
                summary=f"{SECRET_SUMMARY} {uuid.uuid4().hex}",
                barriers=["employment", "finance"],
                indicators=["employment.wages-below-minimum", "finance.many-workers-one-account"],
            )
            response = api.post("/api/v1/signals", json=body, headers=headers[source])
            assert response.status_code == 201, response.text
            signals[response.json()["id"]] = (source, municipality)
    return World(headers, signals)
