"""The operator guide names every setting and every `hub` command the code has."""

import re
from pathlib import Path

import typer.main

from hub.cli import app
from hub.config import Settings

GUIDE = (Path(__file__).resolve().parent.parent / "docs" / "operators.md").read_text()


def test_the_settings_table_lists_every_setting() -> None:
    missing = [
        f"HUB_{name.upper()}"
        for name in Settings.model_fields
        if f"`HUB_{name.upper()}`" not in GUIDE
    ]
    assert not missing, f"docs/operators.md's settings table lacks {missing}"


def _commands(group: object, prefix: str) -> list[str]:
    found: list[str] = []
    for name, command in getattr(group, "commands", {}).items():
        path = f"{prefix} {name}"
        found += _commands(command, path) if hasattr(command, "commands") else [path]
    return found


def test_the_command_table_lists_every_hub_command() -> None:
    table = " ".join(re.findall(r"^\| `(hub [^|]*(?:\\\|[^|]*)*)` \|", GUIDE, flags=re.M))
    table = table.replace("\\|", "|")
    missing = []
    for command in _commands(typer.main.get_command(app), "hub"):
        *group, last = command.split()
        # `hub clients disable|enable|delete ID` names three commands of one group.
        pattern = rf"{re.escape(' '.join(group))} (?:[\w-]+\|)*{re.escape(last)}\b"
        if not re.search(pattern, table):
            missing.append(command)
    assert not missing, f"docs/operators.md's command table lacks {missing}"


def test_every_test_the_law_table_names_exists() -> None:
    """docs/law.md maps each article to the tests that hold it: those tests must exist, or the
    table promises what nothing checks."""
    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "law.md").read_text()
    named = re.findall(r"`(tests/[\w/]+\.py)((?:::\w+)?)`", text)
    assert len(named) > 20
    for path, test in named:
        assert (root / path).is_file(), path
        if test:
            assert re.search(rf"def {test[2:]}\b", (root / path).read_text()), path + test
    # `::name` written after a file in the same cell refers to that file.
    for cell in text.split("|"):
        files = re.findall(r"`(tests/[\w/]+\.py)", cell)
        for bare in re.findall(r"`::(\w+)`", cell):
            assert files and any(
                re.search(rf"def {bare}\b", (root / f).read_text()) for f in files
            ), bare
