"""Compiles the translation catalogues (hub/locale/*/LC_MESSAGES/messages.po → .mo) in the build.

The .mo files are build output, never committed: every wheel and every editable install makes
them here, so a hub can never run on a catalogue older than its .po. An editable install reads
the package from the checkout, so the .mo is written beside its .po; a wheel also carries it
explicitly, since hatchling leaves out the files .gitignore names.
"""

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LOCALE = Path("hub") / "locale"


def compile_catalogues(root: Path) -> list[Path]:
    """Write a .mo beside every .po under hub/locale; return the package paths written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted((root / LOCALE).glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parts[-3], abort_invalid=True)
        # What `pybabel compile` refuses (a translation whose placeholders differ) stops here.
        problems = [f"{m.id!r}: {e}" for m, errors in catalogue.check() for e in errors]
        if problems:
            raise RuntimeError(f"{po}: " + "; ".join(problems))
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalogue, use_fuzzy=False)
        written.append(mo.relative_to(root))
    if not written:
        raise RuntimeError(f"no translation catalogue (.po) under {root / LOCALE}")
    return written


class CatalogueBuildHook(BuildHookInterface):
    """Runs for wheels and editable installs alike (`pip install .`, `pip install -e .`)."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return  # an sdist carries the .po; its wheel build compiles them
        for mo in compile_catalogues(Path(self.root)):
            if version != "editable":
                build_data["force_include"][str(Path(self.root) / mo)] = mo.as_posix()
