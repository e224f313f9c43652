"""The vocabulary's words for the translation catalogue: Babel extracts each barrier's code
(as it runs in a sentence and as a label), its name and its indicators' labels from
barriers/*.yaml (babel.cfg names this extractor), so pages and reports show them in Dutch."""

from collections.abc import Iterator
from typing import IO, Any

import yaml


def extract(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel's extractor interface: (line, function, message, comments) per text."""
    barrier = yaml.safe_load(fileobj)
    code = barrier["code"]
    yield 1, "_", code, ["a barrier's code, in running text"]
    yield 1, "_", code.capitalize(), ["a barrier's code, as a label"]
    yield 1, "_", barrier["name"], ["a barrier's name"]
    for indicator in barrier.get("indicators", []):
        yield 1, "_", indicator["label"], [f"label of indicator {indicator['code']}"]
