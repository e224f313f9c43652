"""Readable JSON Schema errors for the documents the hub loads (barriers, covenants)."""

from collections.abc import Mapping, Sequence

from jsonschema import ValidationError

PathPart = str | int


def error_path(error: ValidationError) -> list[PathPart]:
    """Point at the offending property itself, not its parent object, where jsonschema does not."""
    parts: list[PathPart] = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, Mapping):
        missing = [p for p in error.validator_value if p not in error.instance]
        if missing:
            parts.append(missing[0])
    elif error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        known = error.schema.get("properties", {}) if isinstance(error.schema, Mapping) else {}
        extra = sorted(str(k) for k in error.instance if k not in known)
        if extra:
            parts.append(extra[0])
    return parts


def error_message(error: ValidationError, limit: int = 200) -> str:
    """jsonschema's message, without the whole offending value when that is a list or mapping
    (which can be the entire file): its shape is named instead."""
    message, instance = error.message, error.instance
    if error.validator == "const":
        message = f"{instance!r} is not allowed: write {error.validator_value!r} or a list"
    elif isinstance(instance, list | dict) and message.startswith(repr(instance)):
        shape = f"a list of {len(instance)} items" if isinstance(instance, list) else "a mapping"
        message = shape + message[len(repr(instance)) :]
    return message if len(message) <= limit else message[: limit - 3] + "..."


def render_path(parts: Sequence[PathPart]) -> str:
    """`rules[1].level` for ["rules", 1, "level"]."""
    rendered = ""
    for part in parts:
        if isinstance(part, int):
            rendered += f"[{part}]"
        else:
            rendered += f".{part}" if rendered else part
    return rendered
