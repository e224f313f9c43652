"""Retention extensions: the recorded decision (WGS art. 1.8(7)) that keeps an accepted case's
members, or one of them, past the cap. Who, why (sealed), until when, within the maximum term
of `rules.MAX_EXTENSION_DAYS`; audited; revocable. Flushes, never commits.

An extension covers the members the case had when it was decided: a signal that joins the case
later is a new decision's business, not this one's.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit import service as audit
from hub.auth.caller import Caller
from hub.errors import Conflict, InvalidInput, NotFound
from hub.kit.bulk import insert_rows
from hub.kit.crypto import DataKeys, Sealed
from hub.linking.models import Proposal
from hub.proposals import repository
from hub.retention.models import RetentionExtension, RetentionExtensionMember
from hub.retention.rules import (
    MAX_EXTENSION_DAYS,
    WGS_CAP_DAYS,
    cap_ends,
    first_processed,
    latest_extension,
)
from hub.signals.models import Signal

REASON = b"retention-extension:"


@dataclass(frozen=True)
class Extension:
    """An extension with what it holds, for lists and case files."""

    row: RetentionExtension
    case_number: str | None
    signal_ids: list[uuid.UUID]


def find_case(session: Session, reference: str) -> Proposal:
    """An accepted case by its case number or its proposal id; 404 or 409 otherwise."""
    try:
        proposal = repository.by_id(session, uuid.UUID(reference))
    except ValueError:
        proposal = session.scalars(
            select(Proposal).where(Proposal.case_number == reference)
        ).one_or_none()
    if proposal is None:
        raise NotFound("There is no case with that number or proposal id.")
    if proposal.status != "accepted":
        raise Conflict(
            f"The proposal is {proposal.status}: only an accepted case's data can be kept "
            "past the WGS cap."
        )
    return proposal


def extend(
    session: Session,
    keys: DataKeys,
    caller: Caller,
    *,
    case: str,
    signal: uuid.UUID | None,
    until: datetime,
    reason: str,
    decided_by: str,
    at: datetime,
    cap_days: int = WGS_CAP_DAYS,
) -> Extension:
    """Record the decision to keep the case's members (or one, `signal`) until `until`."""
    proposal = find_case(session, case)
    members = repository.members(session, proposal.id)
    if signal is not None and signal not in members:
        raise InvalidInput(
            "The signal is not a member of the case.",
            errors=[{"pointer": "/signal", "detail": "is not a member of the case"}],
        )
    covered = {signal} if signal is not None else members
    if not covered:
        raise Conflict("The case holds no signals any more: there is nothing to keep.")
    if until <= at:
        raise InvalidInput(
            "An extension ends in the future.",
            errors=[{"pointer": "/until", "detail": "lies in the past"}],
        )
    # The maximum term counts from the earliest first processing among the covered signals.
    earliest = min(
        first_processed(created, observed)
        for created, observed in session.execute(
            select(Signal.created_at, Signal.observed_at).where(Signal.id.in_(covered))
        )
    )
    limit = latest_extension(earliest, cap_days)
    if until > limit:
        raise InvalidInput(
            f"An extension runs at most {MAX_EXTENSION_DAYS} days past the WGS cap of "
            f"{cap_days} days from first processing: for these signals, until "
            f"{limit:%Y-%m-%dT%H:%M}Z at the latest.",
            errors=[{"pointer": "/until", "detail": "is beyond the maximum term"}],
        )
    row = RetentionExtension(
        id=uuid.uuid4(),
        proposal_id=proposal.id,
        signal_id=signal,
        until=until,
        decided_at=at,
        decided_by=decided_by,
        agency=caller.agency_code,
    )
    sealed = keys.seal(reason.encode(), context=REASON + row.id.bytes)
    row.reason_key_id, row.reason = sealed.key_id, sealed.blob
    session.add(row)
    session.flush()
    insert_rows(
        session,
        RetentionExtensionMember,
        [{"extension_pk": row.pk, "signal_id": s} for s in sorted(covered)],
    )
    ids = sorted(str(s) for s in covered)
    audit.record(
        session,
        caller,
        "retention.extended",
        object_type="retention-extension",
        objects=[
            (
                str(row.id),
                {
                    "proposal": str(proposal.id),
                    "until": until.isoformat(),
                    "count": len(ids),
                    "signal_ids": ids,
                },
            )
        ],
    )
    return Extension(row, proposal.case_number, sorted(covered))


def revoke(
    session: Session, caller: Caller, extension_id: uuid.UUID, *, revoked_by: str, at: datetime
) -> Extension:
    """End an extension now: the signals it held fall due under the other rules again."""
    found = _one(session, extension_id)
    if found.row.revoked_at is not None:
        raise Conflict("The extension is revoked already.")
    found.row.revoked_at, found.row.revoked_by = at, revoked_by
    session.flush()
    audit.record(
        session,
        caller,
        "retention.extension-revoked",
        object_type="retention-extension",
        objects=[(str(found.row.id), {"proposal": str(found.row.proposal_id)})],
    )
    return found


def get(session: Session, extension_id: uuid.UUID) -> Extension:
    return _one(session, extension_id)


def _one(session: Session, extension_id: uuid.UUID) -> Extension:
    found = listed(session, extension_id=extension_id)
    if not found:
        raise NotFound("There is no retention extension with that id.")
    return found[0]


def listed(
    session: Session,
    *,
    proposal_id: uuid.UUID | None = None,
    extension_id: uuid.UUID | None = None,
) -> list[Extension]:
    """Extensions, newest decision first; of one case, or one extension, when asked."""
    query = (
        select(RetentionExtension, Proposal.case_number)
        .join(Proposal, Proposal.id == RetentionExtension.proposal_id)
        .order_by(RetentionExtension.pk.desc())
    )
    if proposal_id is not None:
        query = query.where(RetentionExtension.proposal_id == proposal_id)
    if extension_id is not None:
        query = query.where(RetentionExtension.id == extension_id)
    rows = session.execute(query).all()
    held: dict[int, list[uuid.UUID]] = {row.pk: [] for row, _ in rows}
    if held:
        for pk, signal_id in session.execute(
            select(RetentionExtensionMember.extension_pk, RetentionExtensionMember.signal_id)
            .where(RetentionExtensionMember.extension_pk.in_(held))
            .order_by(RetentionExtensionMember.signal_id)
        ):
            held[pk].append(signal_id)
    return [Extension(row, number, held[row.pk]) for row, number in rows]


def reason_of(keys: DataKeys, row: RetentionExtension) -> str:
    """The extension's reason, decrypted (the caller decides who may read it)."""
    sealed = Sealed(row.reason_key_id, row.reason)
    return keys.open(sealed, context=REASON + row.id.bytes).decode()


def read(session: Session, caller: Caller, found: list[Extension]) -> None:
    """Record that an administrator read these extensions, reasons included."""
    audit.record(
        session,
        caller,
        "retention.extension-read",
        object_type="retention-extension",
        objects=[(str(f.row.id), None) for f in found],
    )


def in_force(row: RetentionExtension, at: datetime) -> bool:
    return row.revoked_at is None and row.until > at


def shown(keys: DataKeys, found: Extension, at: datetime) -> dict[str, Any]:
    """An extension as an administrator sees it (the API's ExtensionOut)."""
    row = found.row
    return {
        "id": row.id,
        "proposal": row.proposal_id,
        "case_number": found.case_number,
        "signal": row.signal_id,
        "signals": found.signal_ids,
        "until": row.until,
        "reason": reason_of(keys, row),
        "decided_at": row.decided_at,
        "decided_by": row.decided_by,
        "agency": row.agency,
        "revoked_at": row.revoked_at,
        "revoked_by": row.revoked_by,
        "in_force": in_force(row, at),
    }


def for_case_file(
    session: Session,
    keys: DataKeys,
    *,
    proposal: Proposal,
    agency: str,
    visible: set[uuid.UUID],
    members: list[dict[str, Any]],
    cap_days: int,
    at: datetime,
) -> dict[str, Any]:
    """The case's retention as one agency may read it: the cap, when it first ends for the
    members it sees with dates, and the extensions (their reasons for the agency that holds the
    case or decided them; signal ids only where it may see them)."""
    dated = [
        first_processed(m["created_at"], m.get("observed_at"))
        for m in members
        if m.get("created_at") is not None
    ]
    purge_by = min(dated) if dated else None
    items = []
    for found in listed(session, proposal_id=proposal.id):
        row = found.row
        readable = agency in (proposal.accepted_by, row.agency)
        items.append(
            {
                "id": str(row.id),
                "signal_id": str(row.signal_id) if row.signal_id in visible else None,
                "signals": len([s for s in found.signal_ids if s in visible]),
                "until": row.until,
                "decided_at": row.decided_at,
                "decided_by": row.decided_by
                if agency == row.agency
                else f"an administrator of {row.agency}",
                "agency": row.agency,
                "reason": reason_of(keys, row) if readable else None,
                "revoked_at": row.revoked_at,
                "ended": not in_force(row, at),
            }
        )
    return {
        "rule": "WGS art. 1.8(7)",
        "cap_days": cap_days,
        "purge_by": cap_ends(purge_by, cap_days) if purge_by else None,
        "extensions": items,
    }
