"""Recording audit events, in the same transaction as the change or read they describe.

An event is written unsealed: it touches no shared row, so requests do not queue on the chain.
The sequencer (hub/audit/sequencer.py) gives committed events their place and hash within
seconds; `verify_trail` checks the sealed chain and reports the unsealed tail.
"""

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from joserfc.jwk import KeySet
from sqlalchemy.orm import DeclarativeBase, Session

from hub.audit import repository
from hub.audit.chain import HASH_VERSION, Verdict, read_head, sign_head, verify
from hub.audit.models import AuditCheckpoint, AuditEvent
from hub.audit.sequencer import tail, wake_on_commit
from hub.auth.caller import Caller
from hub.covenants.policy import Grant
from hub.db import now
from hub.kit.bulk import insert_many
from hub.ldv import collect as ldv


def record(
    session: Session,
    caller: Caller,
    action: str,
    *,
    object_type: str,
    objects: list[tuple[str, dict[str, Any] | None]],
    purpose: str | None = None,
    owner: str | None = None,
    together: Sequence[tuple[type[DeclarativeBase], list[dict[str, Any]]]] = (),
) -> None:
    """One event per object: (object id, detail). Details never hold identifiers or text.

    `owner` is the agency whose object it is (a signal's is its source, the caller).
    `together`: rows of other tables (the recorded action's own) inserted with the events."""
    if not objects:
        insert_many(session, list(together))
        return
    at = now()
    _append(
        session,
        [
            {
                "occurred_at": at,
                "agency": caller.agency_code,
                "client_id": caller.client_id,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "purpose": purpose,
                "detail": detail,
                "owner": owner or (caller.agency_code if object_type == "signal" else None),
                "level": None,
                "covenant_id": None,
                "covenant_version": None,
                "rule_id": None,
            }
            for object_id, detail in objects
        ],
        together,
    )


def disclosed(
    session: Session,
    caller: Caller,
    purpose: str,
    grants: list[tuple[str, str, Grant]],
    *,
    detail: dict[str, Any] | None = None,
) -> None:
    """One event per signal shown to an agency other than its source: (signal id, source
    agency code, grant) — which level, which covenant version and rule allowed it, and why.
    `detail` says what the disclosure answered (a lookup's id), never what was shown."""
    if not grants:
        return
    at = now()
    _append(
        session,
        [
            {
                "occurred_at": at,
                "agency": caller.agency_code,
                "client_id": caller.client_id,
                "action": "signal.disclosed",
                "object_type": "signal",
                "object_id": signal_id,
                "purpose": purpose,
                "detail": detail,
                "owner": owner,
                "level": grant.level.label,
                "covenant_id": grant.covenant_id,
                "covenant_version": grant.covenant_version,
                "rule_id": grant.rule_id,
            }
            for signal_id, owner, grant in grants
        ],
    )


def _append(
    session: Session,
    rows: list[dict[str, Any]],
    together: Sequence[tuple[type[DeclarativeBase], list[dict[str, Any]]]] = (),
) -> None:
    """Insert `rows` unsealed (with `together`'s rows, in one statement where they are few);
    the sequencer gives them their place in the chain after commit."""
    for row in rows:
        row["hash_version"] = HASH_VERSION
    insert_many(session, [*together, (AuditEvent, rows)])
    wake_on_commit(session)
    # Each audited processing is also a record of the processing log, written after the
    # transaction ends (hub/ldv/collect.py).
    ldv.audited(session, rows)


@dataclass(frozen=True)
class TrailReport:
    """What `verify_trail` found: the chain's verdict, its head, the checkpoints checked, and
    the unsealed tail (events committed but not yet in the chain)."""

    verdict: Verdict
    head_seq: int
    head_hash: str
    checkpoint_seq: int | None
    checkpoints_checked: int
    checkpoints_retired: int
    tail_count: int
    tail_oldest: datetime | None
    tail_age: float
    tail_bound: float

    @property
    def tail_ok(self) -> bool:
        return self.tail_age <= self.tail_bound

    @property
    def ok(self) -> bool:
        return self.verdict.ok and self.tail_ok


def verify_trail(session: Session, keyset: KeySet, *, tail_bound: float = 5.0) -> TrailReport:
    """Check the sealed chain against its head row and every signed checkpoint, and measure the
    unsealed tail; the verdict says where the chain breaks.

    The head row catches entries cut off the end; a checkpoint also catches an attacker who
    rewrote the chain and its head row together, up to the checkpoint. The tail is reported,
    and is a failure when its oldest event is older than `tail_bound` seconds.
    """
    current = repository.head(session)
    head_seq, head_hash = current.seq, current.hash
    # Up to the head read here: the sequencer may seal more while the chain is walked.
    verdict = verify(repository.stream(session, upto=head_seq), head=(head_seq, head_hash))
    checked = retired = 0
    last_seq = None
    if verdict.ok:
        verdict, checked, retired, last_seq = _check_checkpoints(session, keyset, verdict)
    count, oldest = tail(session)
    age = max(0.0, (now() - oldest).total_seconds()) if oldest is not None else 0.0
    return TrailReport(
        verdict, head_seq, head_hash, last_seq, checked, retired, count, oldest, age, tail_bound
    )


def tail_reason(report: TrailReport) -> str:
    """Why the unsealed tail fails verification, or "" when it does not."""
    if report.tail_ok:
        return ""
    return (
        f"{report.tail_count} event(s) are not sealed into the chain; the oldest is "
        f"{report.tail_age:.1f} s old, past the bound of {report.tail_bound:g} s "
        "(is a hub server or `hub audit seal` running?)"
    )


def _check_checkpoints(
    session: Session, keyset: KeySet, verdict: Verdict
) -> tuple[Verdict, int, int, int | None]:
    """Every checkpoint signed by a key the hub still publishes must be a valid signature over
    its own row and match the chain; those signed by keys since removed are only counted.

    A checkpoint past the head read before (signed since) is held to the chain too: its
    entry must exist, which is what reveals newest entries cut off with the head row moved back.
    """
    known = {key.kid for key in keyset.keys}
    checked = retired = 0
    last_seq = None
    for point, entry in repository.checkpoints(session):
        if _kid_of(point.token) not in known:
            retired += 1
            continue
        try:
            signed = read_head(point.token, keyset)
        except ValueError as exc:
            return _broken(verdict, point.seq, f"the checkpoint at entry {point.seq}: {exc}")
        if signed != (point.seq, point.hash):
            return _broken(verdict, point.seq, f"the checkpoint at entry {point.seq} was changed")
        if point.seq > 0 and entry != point.hash:
            return _broken(
                verdict,
                point.seq,
                f"entry {point.seq} no longer matches the checkpoint the hub signed",
            )
        checked += 1
        last_seq = point.seq if last_seq is None else max(last_seq, point.seq)
    return verdict, checked, retired, last_seq


def _broken(verdict: Verdict, seq: int, reason: str) -> tuple[Verdict, int, int, None]:
    return Verdict(False, verdict.checked, seq, reason), 0, 0, None


def _kid_of(token: str) -> str | None:
    try:
        header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    except (ValueError, IndexError):
        return None
    return header.get("kid") if isinstance(header, dict) else None


def checkpoint(session: Session, key: Any) -> tuple[int, str]:
    """Sign the current head with the hub's key now, so later rewriting up to here is evident."""
    current = repository.head(session)
    if current.seq > 0:
        session.add(
            AuditCheckpoint(
                seq=current.seq,
                hash=current.hash,
                signed_at=now(),
                token=sign_head(current.seq, current.hash, key),
            )
        )
        session.flush()
    return current.seq, current.hash
