"""Opaque cursors and RFC 8288 Link headers for keyset pagination."""

import base64
import json

from starlette.datastructures import URL

from hub.errors import InvalidInput


def encode_cursor(after: int) -> str:
    raw = json.dumps({"after": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The key after which the next page starts; a cursor we did not make is a 400."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        after = json.loads(base64.urlsafe_b64decode(padded))["after"]
        if not isinstance(after, int) or after < 0:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise InvalidInput(
            "The cursor is not one this hub issued.",
            errors=[{"in": "query", "name": "cursor", "detail": "invalid cursor"}],
        ) from None
    return after


def encode_position(score: float, pk: int) -> str:
    """A cursor for a list sorted by a score and then a key (both descending)."""
    raw = json.dumps({"score": score, "pk": pk}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_position(cursor: str | None) -> tuple[float, int] | None:
    """The (score, key) after which the next page starts; a cursor we did not make is a 400."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        doc = json.loads(base64.urlsafe_b64decode(padded))
        score, pk = doc["score"], doc["pk"]
        if not isinstance(score, int | float) or not isinstance(pk, int) or pk < 0:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise InvalidInput(
            "The cursor is not one this hub issued.",
            errors=[{"in": "query", "name": "cursor", "detail": "invalid cursor"}],
        ) from None
    return float(score), pk


def next_link(url: URL, cursor: str) -> str:
    return f'<{url.include_query_params(cursor=cursor)}>; rel="next"'
