"""Running `hub upload` as a partner does: a separate process, against the live test hub."""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import LiveServer
from tests.factories import Partner

HUB = Path(sys.executable).parent / "hub"
TEMPLATES = Path(__file__).resolve().parents[2] / "docs" / "templates"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass
class Uploader:
    server: LiveServer

    def run(
        self, file: Path, partner: Partner | None, *args: str, secret: str | None = None
    ) -> Result:
        """`hub upload FILE --agency CODE --url ...`, the partner's credentials in its env."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        command = [str(HUB), "upload", str(file), "--url", self.server.url]
        if partner is not None:
            command += ["--agency", partner.code]
            env |= {"HUB_CLIENT_ID": partner.client_id}
            env |= {"HUB_CLIENT_SECRET": secret or partner.client_secret}
        done = subprocess.run(
            [*command, *args], capture_output=True, text=True, env=env, check=False, timeout=300
        )
        return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def uploader(server: LiveServer) -> Uploader:
    return Uploader(server)
