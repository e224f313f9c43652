"""Where the hub's documents live: beside the package in a checkout, bundled in a wheel."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def document_dir(name: str) -> Path:
    """The top-level folder `name` (barriers, covenants, migrations) of a checkout or wheel."""
    for candidate in (_CHECKOUT / name, _PACKAGE / "_bundled" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the {name}/ folder next to the hub package")
