"""Raw input screened against the limits before any route sees it: JSON bodies (nesting,
numbers, control characters) and query or form parameters (control characters)."""

import json
import math
import re
from typing import Any
from urllib.parse import parse_qsl

from hub.errors import pointer
from hub.limits import LAYOUT_CHARACTERS, MAX_INTEGER, MAX_INTEGER_DIGITS, MAX_JSON_DEPTH

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class _Unfit(str):
    """A number JSON allows but the hub cannot hold; kept as its text for the message."""


def _int(text: str) -> int | _Unfit:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS or abs(int(text)) > MAX_INTEGER:
        return _Unfit(text)
    return int(text)


def _float(text: str) -> float | _Unfit:
    value = float(text)
    return value if math.isfinite(value) else _Unfit(text)


def _decode(text: bytes) -> tuple[Any, str | None]:
    """The document, or why it is refused; (None, None) when it is not JSON at all (the route
    says so in its own words)."""
    try:
        return json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_Unfit), None
    except RecursionError:
        return None, f"nests deeper than {MAX_JSON_DEPTH} levels"
    except ValueError:
        return None, None


def _bad_text(value: str, layout: bool) -> str | None:
    for found in _CONTROL.finditer(value):
        if not (layout and found.group() in LAYOUT_CHARACTERS):
            return f"holds the control character U+{ord(found.group()):04X}"
    return None


def _fits(document: Any) -> bool:
    """Whether a parsed document holds nothing `_walk` would refuse: the same rules, without
    the JSON pointers (nearly every body fits, and a pointer per value cost more than the rest
    of the screen)."""
    search = _CONTROL.search
    # A container and its own depth; the root's holder sits above the root.
    stack: list[tuple[Any, int]] = [([document], -1)]
    while stack:
        node, depth = stack.pop()
        if type(node) is dict:
            if any(search(key) for key in node):
                return False
            node = node.values()
        if depth >= MAX_JSON_DEPTH and node:
            return False  # its members would nest deeper than allowed
        for value in node:
            kind = type(value)
            if kind is str:
                if search(value) and _bad_text(value, layout=True):
                    return False
            elif kind is dict or kind is list:
                stack.append((value, depth + 1))
            elif kind is _Unfit:
                return False
    return True


def _walk(document: Any, prefix: list[Any]) -> list[dict[str, Any]]:
    """Errors in a parsed document, each with a JSON pointer; iterative, so depth is safe."""
    errors: list[dict[str, Any]] = []
    stack: list[tuple[Any, list[Any]]] = [(document, prefix)]
    while stack and len(errors) < 20:
        node, path = stack.pop()
        where = pointer(path)
        if len(path) - len(prefix) > MAX_JSON_DEPTH:
            errors.append({"pointer": where, "detail": f"nests deeper than {MAX_JSON_DEPTH}"})
        elif isinstance(node, _Unfit):
            errors.append(
                {"pointer": where, "detail": f"number out of range (at most {MAX_INTEGER})"}
            )
        elif isinstance(node, str):
            if problem := _bad_text(node, layout=True):
                errors.append({"pointer": where, "detail": problem})
        elif isinstance(node, dict):
            for key, value in node.items():
                if problem := _bad_text(key, layout=False):
                    errors.append({"pointer": pointer([*path, key]), "detail": "key " + problem})
                stack.append((value, [*path, key]))
        elif isinstance(node, list):
            stack.extend((value, [*path, i]) for i, value in enumerate(node))
    return sorted(errors, key=lambda e: e["pointer"])


def screen_json(raw: bytes, *, ndjson: bool = False) -> list[dict[str, Any]]:
    """Errors that refuse the whole body; an NDJSON line is addressed by its item index."""
    lines = [line for line in raw.splitlines() if line.strip()] if ndjson else [raw]
    errors: list[dict[str, Any]] = []
    for index, line in enumerate(lines):
        prefix: list[Any] = [index] if ndjson else []
        document, refused = _decode(line)
        if refused:
            errors.append({"pointer": pointer(prefix), "detail": refused})
        elif document is not None and not _fits(document):
            errors.extend(_walk(document, prefix))
    return errors


def screen_parameters(query: bytes, *, where: str = "query") -> list[dict[str, Any]]:
    """Control characters in parameter names or values (a form's text may break lines)."""
    errors = []
    layout = where == "form"
    for name, value in parse_qsl(
        query.decode("latin-1"), keep_blank_values=True, encoding="latin-1"
    ):
        name, value = _utf8(name), _utf8(value)
        if problem := _bad_text(name, False) or _bad_text(value, layout):
            errors.append({"in": where, "name": name[:100], "detail": problem})
    return errors


def _utf8(text: str) -> str:
    # parse_qsl decoded percent-escapes as Latin-1 so that no byte is lost; read them as UTF-8.
    return text.encode("latin-1").decode("utf-8", errors="replace")
