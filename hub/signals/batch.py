"""Splitting a batch body into items, each validated on its own (a bad item spoils no other)."""

import json
from typing import Any

from pydantic import ValidationError

from hub.errors import InvalidInput
from hub.kit.body import NDJSON, invalid, parse_json
from hub.signals.schemas import SignalCreate


def _documents(raw: bytes, media_type: str) -> list[Any | InvalidInput]:
    if media_type != NDJSON:
        document = parse_json(raw)
        if not isinstance(document, list):
            raise InvalidInput(
                "A JSON batch is an array of signals.",
                errors=[{"pointer": "", "detail": "expected an array"}],
            )
        return document
    out: list[Any | InvalidInput] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except (ValueError, RecursionError):
            out.append(InvalidInput(f"Line {number} is not valid JSON."))
    return out


def read_batch(
    raw: bytes, media_type: str, *, vocabulary: Any, max_items: int
) -> list[SignalCreate | InvalidInput]:
    """Items in order: a validated signal, or the problem that item has."""
    documents = _documents(raw, media_type)
    if not documents:
        raise InvalidInput("The batch is empty.")
    if len(documents) > max_items:
        raise InvalidInput(
            f"A batch holds at most {max_items} signals; this one has "
            f"{len(documents)}. Nothing was stored."
        )
    context = {"vocabulary": vocabulary}
    items: list[SignalCreate | InvalidInput] = []
    for document in documents:
        if isinstance(document, InvalidInput):
            items.append(document)
            continue
        try:
            items.append(SignalCreate.model_validate(document, context=context))
        except ValidationError as exc:
            items.append(invalid(exc, document))
    return items
