"""Opaque, authenticated cursors and RFC 8288 Link headers for keyset pagination.

A cursor is `payload.tag`: the position as compact JSON and an HMAC-SHA256 over it and the
cursor's scope (the route, the viewer and its filters). A cursor that was changed, made up, or
issued to another viewer or for other filters fails the MAC and is a 400 problem.
"""

import base64
import binascii
import hmac
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import URL

from hub.errors import InvalidInput

# Keys are database primary keys: anything beyond a signed 64-bit integer is not one.
_MAX_KEY = 2**63 - 1


def scope(route: str, *, agency: str, purpose: str | None, filters: Any = None) -> bytes:
    """What a cursor is bound to: the list it pages, who reads it, for what, and how filtered."""
    if is_dataclass(filters) and not isinstance(filters, type):
        filters = asdict(filters)
    doc = {"route": route, "agency": agency, "purpose": purpose, "filters": filters or {}}
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), default=_text).encode()


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _tag(key: bytes, bound: bytes, payload: bytes) -> bytes:
    return hmac.digest(key, len(bound).to_bytes(4, "big") + bound + payload, "sha256")


def _sign(key: bytes, bound: bytes, doc: Mapping[str, Any]) -> str:
    payload = json.dumps(doc, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_tag(key, bound, payload))}"


def _open(key: bytes, bound: bytes, cursor: str) -> dict[str, Any]:
    """The cursor's payload, once its tag checks out for this scope; else a 400 problem."""
    try:
        encoded, tag = cursor.split(".")
        payload = _unb64(encoded)
        if not hmac.compare_digest(_unb64(tag), _tag(key, bound, payload)):
            raise ValueError
        doc = json.loads(payload)
        if not isinstance(doc, dict):
            raise ValueError
    except (ValueError, binascii.Error, UnicodeError):
        raise _invalid() from None
    return doc


def _invalid() -> InvalidInput:
    return InvalidInput(
        "The cursor is not one this hub issued for this list, viewer and filters.",
        errors=[{"in": "query", "name": "cursor", "detail": "invalid cursor"}],
    )


def _key(value: Any) -> int:
    if type(value) is not int or not 0 <= value <= _MAX_KEY:
        raise _invalid()
    return value


def encode_cursor(key: bytes, bound: bytes, after: int) -> str:
    """A cursor for a list in ascending key order."""
    return _sign(key, bound, {"after": after})


def decode_cursor(key: bytes, bound: bytes, cursor: str | None) -> int | None:
    """The key after which the next page starts; a cursor we did not make is a 400."""
    if cursor is None:
        return None
    return _key(_open(key, bound, cursor).get("after"))


def encode_position(key: bytes, bound: bytes, score: float, pk: int, at: datetime) -> str:
    """A cursor for a list sorted by a score taken at time `at`, then a key (both descending)."""
    return _sign(key, bound, {"score": score, "pk": pk, "at": at.timestamp()})


def decode_position(
    key: bytes, bound: bytes, cursor: str | None
) -> tuple[float, int, datetime] | None:
    """The (score, key) after which the next page starts, and the time its scores were taken;
    a cursor we did not make is a 400."""
    if cursor is None:
        return None
    doc = _open(key, bound, cursor)
    score, at = doc.get("score"), doc.get("at")
    if any(type(v) not in (int, float) or not math.isfinite(v) for v in (score, at)):
        raise _invalid()
    try:
        when = datetime.fromtimestamp(at, UTC)
    except (OverflowError, OSError, ValueError):
        raise _invalid() from None
    return float(score), _key(doc.get("pk")), when


def next_link(url: URL, cursor: str) -> str:
    return f'<{url.include_query_params(cursor=cursor)}>; rel="next"'
