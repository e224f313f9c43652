"""`hub users` as an operator runs it: in a fresh process, with clear errors and no traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from hub.cli import app
from hub.db import make_engine, make_sessionmaker
from hub.ui.models import UIUser

HUB = Path(sys.executable).parent / "hub"
PASSWORD = "a passphrase long enough"
runner = CliRunner()


@pytest.fixture
def operator(db_factory, tmp_path: Path, monkeypatch) -> dict[str, str]:
    """A migrated database with one agency, and the environment that points `hub` at it."""
    db = db_factory("users")
    env = {"HUB_DATABASE_URL": db.url, "HUB_DATA_DIR": str(tmp_path / "data")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    added = runner.invoke(
        app, ["agencies", "add", "RIEC-AA", "--name", "RIEC Amsterdam-Amstelland", "--kind", "riec"]
    )
    assert added.exit_code == 0, added.output
    return env


def _hub(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HUB), "users", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=os.environ | env,
        check=False,
        timeout=60,
    )


def test_create_with_password_on_stdin_and_clear_errors(operator) -> None:
    made = _hub(
        operator, "create", "Jan", "--agency", "RIEC-AA", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert made.returncode == 0, made.stderr
    assert "created analyst jan of RIEC-AA" in made.stdout
    for args, stdin, message in (
        (("create", "jan", "--agency", "RIEC-AA"), PASSWORD, "already taken"),
        (("create", "kees", "--agency", "RIEC-XX"), PASSWORD, "no agency 'RIEC-XX'"),
        (("create", "kees", "--agency", "RIEC-AA", "--role", "boss"), PASSWORD, "unknown role"),
        (("create", "kees", "--agency", "RIEC-AA"), "short", "at least 12 characters"),
    ):
        result = _hub(operator, *args, "--password-stdin", stdin=stdin + "\n")
        assert result.returncode == 2, (args, result.stdout)
        assert message in result.stderr and "Traceback" not in result.stderr
    sessions = make_sessionmaker(make_engine(operator["HUB_DATABASE_URL"]))
    with sessions() as session:
        hashes = session.scalars(select(UIUser.password_hash)).all()
    assert len(hashes) == 1 and PASSWORD not in hashes[0]


def test_no_password_argument_exists() -> None:
    result = runner.invoke(app, ["users", "create", "x", "--agency", "A", "--password", PASSWORD])
    assert result.exit_code != 0 and "No such option" in result.output


def test_prompt_asks_twice_then_list_disable_enable_unlock(operator) -> None:
    created = runner.invoke(
        app,
        ["users", "create", "lotte", "--agency", "RIEC-AA", "--role", "admin"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert created.exit_code == 0, created.output
    assert "Repeat for confirmation" in created.output and PASSWORD not in created.output
    mismatch = runner.invoke(
        app, ["users", "create", "mees", "--agency", "RIEC-AA"], input=f"{PASSWORD}\nother\n"
    )
    assert mismatch.exit_code != 0 and "do not match" in mismatch.output
    named = runner.invoke(
        app,
        ["users", "create", "noor", "--agency", "RIEC-AA", "--name", "Noor  Bakker"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert named.exit_code == 0, named.output
    listed = runner.invoke(app, ["users", "list"], env={"COLUMNS": "200"})
    assert "lotte" in listed.output and "admin" in listed.output and "active" in listed.output
    assert "Noor Bakker" in listed.output  # the name colleagues read, spaces tidied
    too_long = runner.invoke(
        app,
        ["users", "create", "mies", "--agency", "RIEC-AA", "--name", "x" * 101],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert too_long.exit_code == 2 and "at most 100 characters" in too_long.output
    assert runner.invoke(app, ["users", "disable", "lotte"]).exit_code == 0
    assert "disabled" in runner.invoke(app, ["users", "list"]).output
    assert runner.invoke(app, ["users", "enable", "lotte"]).exit_code == 0
    assert "unlocked lotte" in runner.invoke(app, ["users", "unlock", "LOTTE"]).output
    assert "mees" not in runner.invoke(app, ["users", "list"]).output
    missing = runner.invoke(app, ["users", "disable", "nobody"])
    assert missing.exit_code == 2 and "no user 'nobody'" in missing.output
