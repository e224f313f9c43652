"""The audit log's hash chain and its signed head (pure: stdlib and joserfc only).

Every audit entry stores `prev_hash` (the hash of the entry before it, `GENESIS` for the first)
and `hash = link(prev_hash, entry)`. Changing an entry breaks its own hash; removing or
reordering entries breaks `seq` continuity and the `prev_hash` links. Only truncating the newest
entries leaves a valid shorter chain, so the hub signs the head `(seq, hash)` with its RSA key
and `verify(..., head=...)` compares the chain's end with it.

What is hashed (`canonical`): exactly the fields of the entry's `hash_version` (absent means 1):
version 1 is `CONTENT_FIELDS`, version 2 (`CONTENT_FIELDS_V2`) every column of the stored row
but `prev_hash` and `hash` (so also the database `id`, `owner` and the version itself). Events
stored under version 1 keep their hashes and verify under it; the version never goes down along
the chain, and changing it changes the bytes hashed. Either way the fields form one JSON object
with sorted keys at every depth, compact separators, UTF-8 (not ASCII-escaped), NaN and
infinities refused, missing keys as null, and datetimes (anywhere, also inside `detail`) as
ISO 8601 UTC with microseconds and "Z". `prev_hash`/`hash` themselves are not content:
`prev_hash` enters through `link`. Sorting the keys makes the bytes independent of the key order
a JSON column returns (PostgreSQL's JSONB reorders keys), and normalising datetimes to UTC makes
them independent of the zone a driver returns. Adding a field changes every hash, so it needs a
new hash version, not an edit of an existing one.
"""

import hashlib
import json
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

GENESIS = "0" * 64
CONTENT_FIELDS = (
    "seq",
    "occurred_at",
    "agency",
    "client_id",
    "action",
    "object_type",
    "object_id",
    "purpose",
    "covenant_id",
    "covenant_version",
    "rule_id",
    "level",
    "detail",
)
# Version 2 covers every column of the row: a column left out could be changed unnoticed
# (`owner` decides which agency's audit view shows an entry).
CONTENT_FIELDS_V2 = (*CONTENT_FIELDS, "id", "owner", "hash_version")
FIELDS_BY_VERSION = {1: CONTENT_FIELDS, 2: CONTENT_FIELDS_V2}
HASH_VERSION = 2  # the version new entries are written with
ALGORITHM = "RS256"
# A JWS type of its own, so that no other token the hub signs (access tokens are "at+jwt") can
# be passed off as a signed head, and a head cannot be used as anything else.
HEAD_TYPE = "hub-audit-head"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def _encode_extra(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            # The same rule as hub.db.UTCDateTime: a naive time could mean two instants.
            raise ValueError("naive datetimes are ambiguous in an audit entry; pass an aware one")
        utc = value.astimezone(UTC).replace(tzinfo=None)
        return utc.isoformat(timespec="microseconds") + "Z"
    raise TypeError(f"{type(value).__name__} cannot be part of an audit entry")


def version_of(event: Mapping[str, Any]) -> int:
    """The entry's hash version; ValueError when it is not one this hub knows."""
    version = event.get("hash_version", 1)
    if isinstance(version, bool) or version not in FIELDS_BY_VERSION:
        raise ValueError(f"unknown hash version {version!r}")
    return int(version)


def canonical(event: Mapping[str, Any]) -> bytes:
    """The bytes that an entry's hash covers: the fields of its version (see the module
    docstring)."""
    content = {name: event.get(name) for name in FIELDS_BY_VERSION[version_of(event)]}
    text = json.dumps(
        content,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_encode_extra,
    )
    return text.encode("utf-8")


def link(prev_hash: str, event: Mapping[str, Any]) -> str:
    """The hash of `event` when it follows an entry whose hash is `prev_hash` (hex SHA-256)."""
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical(event))
    return digest.hexdigest()


@dataclass(frozen=True)
class Verdict:
    """The outcome of `verify`.

    `checked` counts the entries found sound before the first problem (all of them when ok);
    `first_bad_seq` is where the chain breaks: the changed entry, the first entry after a gap,
    the lower seq of a swapped pair, or the first missing seq when the tail was cut off.
    """

    ok: bool
    checked: int
    first_bad_seq: int | None
    reason: str


def _bad(checked: int, seq: int, reason: str) -> Verdict:
    return Verdict(ok=False, checked=checked, first_bad_seq=seq, reason=reason)


def _seq_of(event: Mapping[str, Any]) -> int | None:
    seq = event.get("seq")
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else None


def _safe_link(prev_hash: Any, event: Mapping[str, Any]) -> str | None:
    """`link`, or None when the entry cannot even be serialised (then it was tampered with)."""
    if not isinstance(prev_hash, str) or not prev_hash.isascii():
        return None
    try:
        return link(prev_hash, event)
    except (TypeError, ValueError):
        return None


def _missing(expected: int, seq: int) -> str:
    if seq == expected + 1:
        what = f"entry {expected} is missing"
    else:
        what = f"entries {expected} to {seq - 1} are missing"
    return f"{what}: seq jumps from {expected - 1} to {seq}"


def verify(
    events: Iterable[Mapping[str, Any]],
    *,
    start_hash: str = GENESIS,
    start_seq: int = 1,
    head: tuple[int, str] | None = None,
) -> Verdict:
    """Check a run of entries in stored order; stop at the first problem and say where.

    Each entry carries its content fields plus `seq`, `prev_hash` and `hash`. The run starts at
    `start_seq` after an entry whose hash is `start_hash` (GENESIS for the whole log). With
    `head` (from `read_head`), the last entry must also be exactly the signed head, which is what
    reveals removed newest entries. Streams: memory stays constant however long the log.

    The `prev_hash` links decide what went wrong: an entry that links to its predecessor is in
    its place, so a wrong seq or hash means it was changed; one that does not link is either a
    changed `prev_hash`, the first entry after a gap, or one of a reordered pair (told apart by
    looking one entry ahead).
    """
    stream: Iterator[Mapping[str, Any]] = iter(events)
    expected, prev_hash, checked, newest_version = start_seq, start_hash, 0, 1
    lookahead: Mapping[str, Any] | None = None
    while True:
        if lookahead is not None:
            event, lookahead = lookahead, None
        else:
            event = next(stream, None)
            if event is None:
                break
        seq = _seq_of(event)
        if event.get("prev_hash") == prev_hash:
            if seq != expected:
                return _bad(
                    checked,
                    expected,
                    f"entry {expected} was changed: its seq reads {event.get('seq')!r}",
                )
        elif seq == expected:
            return _bad(
                checked,
                expected,
                f"entry {expected} was changed: its prev_hash does not match "
                f"the hash of entry {expected - 1}",
            )
        elif seq is not None and seq > expected:
            lookahead = next(stream, None)
            if (
                lookahead is not None
                and _seq_of(lookahead) == expected
                and lookahead.get("prev_hash") == prev_hash
            ):
                return _bad(
                    checked, expected, f"entries {expected} and {seq} are out of order (swapped)"
                )
            return _bad(checked, seq, _missing(expected, seq))
        elif seq is not None:
            return _bad(
                checked, seq, f"entry {seq} is out of order: it follows entry {expected - 1}"
            )
        else:
            return _bad(
                checked,
                expected,
                f"entry {expected} was changed: it has no valid seq and does not link "
                f"to entry {expected - 1}",
            )
        version = event.get("hash_version", 1)
        if isinstance(version, int) and version < newest_version:
            # Entries are written with the newest version only; an older one after a newer
            # one was rewritten under the weaker rule.
            return _bad(
                checked,
                expected,
                f"entry {expected} was changed: its hash version {version} follows "
                f"version {newest_version}",
            )
        if _safe_link(prev_hash, event) != event.get("hash"):
            return _bad(
                checked,
                expected,
                f"entry {expected} was changed: its hash does not match its content",
            )
        newest_version = max(newest_version, int(event.get("hash_version", 1)))
        prev_hash = event["hash"]
        expected += 1
        checked += 1
    if head is not None:
        head_seq, head_hash = head
        last = expected - 1
        if head_seq != last or head_hash != prev_hash:
            where = expected if head_seq > last else last
            return _bad(
                checked,
                where,
                f"the chain's last entry (seq {last}) does not match the signed head "
                f"(seq {head_seq})",
            )
    return Verdict(ok=True, checked=checked, first_bad_seq=None, reason="")


def sign_head(seq: int, head_hash: str, key: RSAKey) -> str:
    """A compact JWS (RS256, the key's kid) over the chain's head `{"seq", "hash", "iat"}`."""
    if not _HEX64.fullmatch(head_hash):
        raise ValueError("a head hash is 64 lowercase hex digits")
    header = {"alg": ALGORITHM, "typ": HEAD_TYPE, "kid": key.kid}
    payload = {"seq": seq, "hash": head_hash, "iat": int(time.time())}
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True)
    return jws.serialize_compact(header, body, key, algorithms=[ALGORITHM])


def read_head(token: str, keyset: KeySet) -> tuple[int, str]:
    """The `(seq, hash)` of a head signed by one of `keyset`'s keys; ValueError otherwise."""
    try:
        signed = jws.deserialize_compact(token, keyset, algorithms=[ALGORITHM])
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise ValueError(
            f"the audit head's signature is not valid for the hub's keys ({exc})"
        ) from exc
    if signed.headers().get("typ") != HEAD_TYPE:
        raise ValueError(f"the signed token is not an audit head (typ is not {HEAD_TYPE!r})")
    try:
        payload = json.loads(signed.payload)
    except ValueError as exc:
        raise ValueError("the audit head's payload is not JSON") from exc
    seq = payload.get("seq") if isinstance(payload, dict) else None
    head_hash = payload.get("hash") if isinstance(payload, dict) else None
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ValueError("the audit head carries no valid seq")
    if not isinstance(head_hash, str) or not _HEX64.fullmatch(head_hash):
        raise ValueError("the audit head carries no valid hash")
    return seq, head_hash
