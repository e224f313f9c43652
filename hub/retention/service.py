"""Purging signals past their retention, with their parts, in batches. Flushes, never commits.

A signal is past retention when `created_at + retention < now`, where retention is the shortest
`retention_days` of the covenant versions it was bound to when it was shared, or the hub's
default when it was shared under none. Its parts (barriers, indicators, subjects, identifiers
with their sealed values and blind-index tokens, versions, covenant bindings) reference
`signals.id` with ON DELETE CASCADE, so deleting the signal row removes them in the same
statement; idempotency records name the signal without a foreign key and are deleted here.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, delete, exists, or_, select, text
from sqlalchemy.orm import Session

from hub.audit import service as audit
from hub.auth.caller import Caller
from hub.covenants.models import BindingTerm, CovenantVersion
from hub.ldv import collect as ldv
from hub.linking.models import Proposal, ProposalMember
from hub.linking.service import Linker
from hub.signals.models import IdempotencyRecord, Signal

# Purges are the hub's own act, not an agency's: the audit names the hub and this job.
PURGE_CALLER = Caller(
    agency_id=0,
    agency_code="HUB",
    client_id="hub-purge",
    scopes=frozenset(),
    token_id="purge",  # noqa: S106
)

# Small enough to stay far below every driver's bound-parameter limit, large enough to be quick.
BATCH_SIZE = 500


@dataclass(frozen=True)
class PurgeResult:
    counted: int
    signal_ids: list[str] = field(default_factory=list)


def _bound_to(retention_days: int) -> ColumnElement[bool]:
    """The signal is bound to a covenant version with exactly this retention."""
    return Signal.binding_id.in_(
        select(BindingTerm.binding_id)
        .join(
            CovenantVersion,
            (CovenantVersion.covenant_id == BindingTerm.covenant_id)
            & (CovenantVersion.version == BindingTerm.covenant_version),
        )
        .where(CovenantVersion.retention_days == retention_days)
    )


def expired(session: Session, *, now: datetime, default_days: int) -> ColumnElement[bool]:
    """The condition on `signals` that holds for a signal past its retention at `now`.

    The shortest retention wins, so a signal is expired as soon as ANY covenant version it is
    bound to has run out. There are only a handful of distinct retention periods, so each
    becomes a cutoff computed here: plain timestamp comparisons that work alike on SQLite and
    PostgreSQL and can use an index on created_at.
    """
    periods = session.scalars(select(CovenantVersion.retention_days).distinct()).all()
    by_covenant = [
        (Signal.created_at < now - timedelta(days=days)) & _bound_to(days) for days in periods
    ]
    unbound = (Signal.created_at < now - timedelta(days=default_days)) & Signal.binding_id.is_(None)
    # An accepted case keeps its members as long as the case is kept.
    held = exists(
        select(ProposalMember.signal_id)
        .join(Proposal, Proposal.id == ProposalMember.proposal_id)
        .where(
            ProposalMember.signal_id == Signal.id,
            Proposal.status == "accepted",
            Proposal.retain_until > now,
        )
    )
    return or_(*by_covenant, unbound) & ~held


def _expired_ids(session: Session, *, now: datetime, default_days: int) -> Select[tuple[uuid.UUID]]:
    return (
        select(Signal.id)
        .where(expired(session, now=now, default_days=default_days))
        .order_by(Signal.pk)
    )


def _require_cascading_deletes(session: Session) -> None:
    # SQLite ignores ON DELETE CASCADE unless the connection turned foreign keys on
    # (hub.db.make_engine does); without it a purge would leave sealed identifiers behind.
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite and session.execute(text("PRAGMA foreign_keys")).scalar() != 1:
        raise RuntimeError("SQLite foreign keys are off: a purge would orphan signal parts")


def purge_expired(
    session: Session,
    *,
    now: datetime,
    default_days: int,
    dry_run: bool,
    batch_size: int = BATCH_SIZE,
    linker: Linker | None = None,
) -> PurgeResult:
    """Delete every signal past its retention at `now`, with its parts, in batches.

    Each batch is one audit event (ids and a count, never content). A dry run only counts:
    it changes nothing and records nothing. With a `linker`, the proposals the purged signals
    were in are re-linked from their remaining members (and closed if they no longer qualify).
    """
    if now.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware one")
    query = _expired_ids(session, now=now, default_days=default_days)
    if dry_run:
        ids = [str(i) for i in session.scalars(query)]
        return PurgeResult(counted=len(ids), signal_ids=ids)
    _require_cascading_deletes(session)
    purged: list[str] = []
    left_behind: set[uuid.UUID] = set()
    while batch := list(session.scalars(query.limit(batch_size))):
        if linker is not None:
            left_behind |= linker.fellow_members(session, set(batch))
        ldv.erasing(session, batch)  # the purge's record names whose data it erased
        for statement in (
            delete(IdempotencyRecord).where(IdempotencyRecord.signal_id.in_(batch)),
            delete(Signal).where(Signal.id.in_(batch)),  # parts go by ON DELETE CASCADE
        ):
            session.execute(statement, execution_options={"synchronize_session": False})
        ids = [str(i) for i in batch]
        audit.record(
            session,
            PURGE_CALLER,
            "retention.purged",
            object_type="signal-batch",
            objects=[(str(uuid.uuid4()), {"count": len(ids), "signal_ids": ids})],
        )
        purged.extend(ids)
    session.flush()
    if linker is not None:
        linker(session, sorted(left_behind - {uuid.UUID(i) for i in purged}, key=str))
    return PurgeResult(counted=len(purged), signal_ids=purged)
