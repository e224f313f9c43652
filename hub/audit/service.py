"""Recording audit events, in the same transaction as the change or read they describe.

Every event is a link in the hash chain: a transaction claims the next sequence numbers by
updating the one head row (which holds that row's lock until commit, so appends are serialised
on PostgreSQL and SQLite alike), hashes its events onto the previous head and moves the head.
"""

from typing import Any

from joserfc.jwk import KeySet
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from hub.audit import repository
from hub.audit.chain import HASH_VERSION, Verdict, link, read_head, sign_head, verify
from hub.audit.models import HEAD_ID, AuditEvent, AuditHead
from hub.auth.caller import Caller
from hub.covenants.policy import Grant
from hub.db import now
from hub.kit.bulk import insert_rows
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
) -> None:
    """One event per object: (object id, detail). Details never hold identifiers or text.

    `owner` is the agency whose object it is (a signal's is its source, the caller)."""
    if not objects:
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


def _append(session: Session, rows: list[dict[str, Any]]) -> None:
    """Chain `rows` onto the trail and insert them."""
    head = AuditHead.__table__
    claimed = session.execute(
        update(head)
        .where(head.c.id == HEAD_ID)
        .values(seq=head.c.seq + len(rows))
        .returning(head.c.seq, head.c.hash)
    ).one()
    prev, first = claimed.hash, claimed.seq - len(rows) + 1
    # The hash covers the row's id, so the id is known before the insert: drawn from the
    # column's own sequence on PostgreSQL (so anything inserting with the default stays in
    # step), max + 1 on SQLite (where the default is max + 1 too), under the head row's lock.
    ids = _new_ids(session, len(rows))
    for offset, (row, event_id) in enumerate(zip(rows, ids, strict=True)):
        row["id"] = event_id
        row["hash_version"] = HASH_VERSION
        row["seq"] = first + offset
        row["prev_hash"] = prev
        row["hash"] = prev = link(prev, row)
    insert_rows(session, AuditEvent, rows)
    session.execute(update(head).where(head.c.id == HEAD_ID).values(hash=prev))
    # Each audited processing is also a record of the processing log, written after the
    # transaction ends (hub/ldv/collect.py).
    ldv.audited(session, rows)


def _new_ids(session: Session, count: int) -> list[int]:
    if session.get_bind().dialect.name == "postgresql":
        return list(
            session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence('audit_events', 'id'))"
                    " FROM generate_series(1, :n)"
                ),
                {"n": count},
            )
        )
    first = (session.scalar(select(func.max(AuditEvent.id))) or 0) + 1
    return list(range(first, first + count))


def verify_trail(session: Session, keyset: KeySet) -> Verdict:
    """Check the whole chain, its head row, and the last head the hub signed; say where it breaks.

    The head row catches entries cut off the end; the signed head also catches an attacker who
    rewrote the chain and its head row together, up to the point the hub last signed.
    """
    current = repository.head(session)
    verdict = verify(repository.stream(session), head=(current.seq, current.hash))
    if not verdict.ok or current.signed_token is None:
        return verdict
    try:
        signed_seq, signed_hash = read_head(current.signed_token, keyset)
    except ValueError as exc:
        return Verdict(False, verdict.checked, current.signed_seq, f"the signed head: {exc}")
    entry = session.scalars(select(AuditEvent.hash).where(AuditEvent.seq == signed_seq)).first()
    if signed_seq > 0 and entry != signed_hash:
        return Verdict(
            False,
            verdict.checked,
            signed_seq,
            f"entry {signed_seq} no longer matches the head the hub signed",
        )
    return verdict


def seal(session: Session, key: Any) -> tuple[int, str]:
    """Sign the current head with the hub's key, so later rewriting up to here is evident."""
    current = repository.head(session)
    current.signed_token = sign_head(current.seq, current.hash, key)
    current.signed_seq = current.seq
    current.signed_at = now()
    session.flush()
    return current.seq, current.hash
