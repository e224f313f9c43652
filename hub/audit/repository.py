"""Queries on the audit trail."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.audit.models import HEAD_ID, AuditCheckpoint, AuditEvent, AuditHead


def head(session: Session) -> AuditHead:
    return session.get_one(AuditHead, HEAD_ID)


def stream(
    session: Session, batch: int = 2000, *, upto: int | None = None
) -> Iterator[dict[str, Any]]:
    """Every sealed entry (up to seq `upto`) in chain order, as mappings, a batch at a time
    (constant memory)."""
    query = select(AuditEvent.__table__).where(AuditEvent.seq.is_not(None))
    if upto is not None:
        query = query.where(AuditEvent.seq <= upto)
    query = query.order_by(AuditEvent.seq)
    result = session.execute(query.execution_options(yield_per=batch))
    for row in result.mappings():
        yield dict(row)


@dataclass(frozen=True)
class AuditFilter:
    agency: str | None = None
    signal_id: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def page(
    session: Session, where: AuditFilter, *, involving: str | None, after: int | None, limit: int
) -> list[AuditEvent]:
    """Sealed events in chain order; `involving` (an agency code) keeps those the agency took
    part in: its own actions and what happened to its signals."""
    query = select(AuditEvent).where(AuditEvent.seq.is_not(None))
    if involving is not None:
        query = query.where(or_(AuditEvent.agency == involving, AuditEvent.owner == involving))
    if where.agency is not None:
        query = query.where(AuditEvent.agency == where.agency)
    if where.signal_id is not None:
        query = query.where(AuditEvent.object_id == where.signal_id)
    if where.action is not None:
        query = query.where(AuditEvent.action == where.action)
    if where.since is not None:
        query = query.where(AuditEvent.occurred_at >= where.since)
    if where.until is not None:
        query = query.where(AuditEvent.occurred_at < where.until)
    if after is not None:
        query = query.where(AuditEvent.seq > after)
    return list(session.scalars(query.order_by(AuditEvent.seq).limit(limit)))


def disclosures_of(session: Session, signal_id: uuid.UUID) -> list[AuditEvent]:
    """Who was shown this signal: every disclosure event naming it, oldest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_id == str(signal_id), AuditEvent.action == "signal.disclosed")
            # Sealed or not: the source sees a disclosure at once.
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )


def checkpoints(session: Session) -> Iterator[tuple[AuditCheckpoint, str | None]]:
    """Every signed checkpoint, oldest first, with the hash of the chain's entry at its seq."""
    query = (
        select(AuditCheckpoint, AuditEvent.hash)
        .outerjoin(AuditEvent, AuditEvent.seq == AuditCheckpoint.seq)
        .order_by(AuditCheckpoint.id)
    )
    rows = session.execute(query.execution_options(yield_per=2000))
    yield from ((point, entry) for point, entry in rows)
