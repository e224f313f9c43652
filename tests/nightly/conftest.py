"""A seeded, migrated hub of its own per test, driven by the real `hub` command."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.config import Settings
from hub.db import make_engine, make_sessionmaker, migrate
from hub.demo.seed import seed

HUB = str(Path(sys.executable).with_name("hub"))
DAY = "2026-11-24"


@dataclass
class NightlyHub:
    settings: Settings
    env: dict[str, str]
    engine: Engine
    sessions: sessionmaker[Session]
    tmp: Path

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """`hub ARGS` in a process of its own, stdout and stderr piped (so not a terminal)."""
        return subprocess.run(
            [HUB, *args],
            env=self.env | env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def spawn(self, *args: str, log: Path, **env: str) -> subprocess.Popen[bytes]:
        with log.open("wb") as sink:
            return subprocess.Popen(
                [HUB, *args], env=self.env | env, stdout=sink, stderr=subprocess.STDOUT
            )

    def hold(self, name: str) -> Path:
        """A path for HUB_NIGHTLY_HOLD; the run touches PATH.reached and waits for PATH."""
        return self.tmp / f"hold-{name}"


def wait_for(check: Callable[[], bool], *, timeout: float = 15.0, what: str = "it") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def hub(db_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[NightlyHub]:
    db = db_factory("nightly")
    migrate(db.url)
    data_dir = tmp_path / "data"
    env = {"HUB_DATABASE_URL": db.url, "HUB_DATA_DIR": str(data_dir)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)  # for the in-process CLI and get_settings()
    settings = Settings(data_dir=data_dir, database_url=db.url)
    seed(settings)
    engine = make_engine(db.url)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    yield NightlyHub(settings, clean | env, engine, make_sessionmaker(engine), tmp_path)
    engine.dispose()
