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
