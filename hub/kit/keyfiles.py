"""Key material in the data folder: created on first use, owner-only (0600)."""

import json
import os
from pathlib import Path
from typing import Any


def key_dir(data_dir: Path) -> Path:
    path = data_dir / "keys"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def write_secret_json(path: Path, content: Any) -> None:
    """Write `content` so that no other user can read it, atomically."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(content, fh, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    with path.open() as fh:
        return json.load(fh)
