"""Purging signals past their retention, with their parts, in batches. Flushes, never commits.

A signal falls due under the first of these rules that applies (`rules.RULES`):
- covenant retention: `created_at + retention < now`, where retention is the shortest
  `retention_days` of the covenant versions it was bound to when it was shared;
- hub default: the same with the hub's default, when it was shared under none;
- WGS cap (art. 1.8(7)): five years (or the shorter `retention_cap_days`) after it was first
  processed: received by the hub, or observed by its source if that came first;
- extension ended: past the cap, and the recorded extension that held it ended or was revoked.
An accepted case holds its members against the first two rules until its `retain_until`, never
against the cap; only an extension in force holds a signal past the cap (and against the others).

Its parts (barriers, indicators, subjects, identifiers with their sealed values and blind-index
tokens, versions, covenant bindings, extension memberships) reference `signals.id` with ON
DELETE CASCADE, so deleting the signal row removes them in the same statement; idempotency
records name the signal without a foreign key and are deleted here.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, case, delete, exists, false, or_, select, text
from sqlalchemy.orm import Session

from hub.audit import service as audit
from hub.auth.caller import Caller
from hub.covenants.models import BindingTerm, CovenantVersion
from hub.ldv import collect as ldv
from hub.linking.models import Proposal, ProposalMember
from hub.linking.service import Linker
from hub.retention.models import RetentionExtension, RetentionExtensionMember
from hub.retention.rules import RULES, WGS_CAP_DAYS
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
    # A dry run's answer: the ids due under each rule (`rules.RULES`).
    by_rule: dict[str, list[str]] = field(default_factory=dict)


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


def _extended(now: datetime, *, in_force: bool) -> ColumnElement[bool]:
    """The signal is held by an extension in force at `now` (or by one that has ended)."""
    live = (RetentionExtension.until > now) & RetentionExtension.revoked_at.is_(None)
    return exists(
        select(RetentionExtensionMember.signal_id)
        .join(RetentionExtension, RetentionExtension.pk == RetentionExtensionMember.extension_pk)
        .where(RetentionExtensionMember.signal_id == Signal.id, live if in_force else ~live)
    )


@dataclass(frozen=True)
class _Due:
    """The conditions on `signals` of each rule, at one moment."""

    covenant: ColumnElement[bool]
    default: ColumnElement[bool]
    cap: ColumnElement[bool]
    extension_ended: ColumnElement[bool]

    @property
    def any(self) -> ColumnElement[bool]:
        return or_(self.covenant, self.default, self.cap)

    @property
    def rule(self) -> ColumnElement[str]:
        """The first rule (in `RULES` order) that makes a due signal due."""
        return case(
            (self.extension_ended, RULES[0]),
            (self.covenant, RULES[1]),
            (self.default, RULES[2]),
            else_=RULES[3],
        )


def _due(session: Session, *, now: datetime, default_days: int, cap_days: int) -> _Due:
    # There are only a handful of distinct retention periods, so each becomes a cutoff computed
    # here: plain timestamp comparisons that work alike on SQLite and PostgreSQL and can use an
    # index on created_at.
    periods = session.scalars(select(CovenantVersion.retention_days).distinct()).all()
    by_covenant = [
        (Signal.created_at < now - timedelta(days=days)) & _bound_to(days) for days in periods
    ]
    unbound = (Signal.created_at < now - timedelta(days=default_days)) & Signal.binding_id.is_(None)
    extended = _extended(now, in_force=True)
    # An accepted case keeps its members past their covenants' retention, not past the cap.
    held = extended | exists(
        select(ProposalMember.signal_id)
        .join(Proposal, Proposal.id == ProposalMember.proposal_id)
        .where(
            ProposalMember.signal_id == Signal.id,
            Proposal.status == "accepted",
            Proposal.retain_until > now,
        )
    )
    # First processed = the earlier of receipt and observation, so either being old enough
    # reaches the cap.
    cutoff = now - timedelta(days=min(cap_days, WGS_CAP_DAYS))
    cap = ((Signal.created_at < cutoff) | (Signal.observed_at < cutoff)) & ~extended
    return _Due(
        covenant=or_(*by_covenant) & ~held if by_covenant else false(),
        default=unbound & ~held,
        cap=cap,
        extension_ended=cap & _extended(now, in_force=False),
    )


def expired(
    session: Session, *, now: datetime, default_days: int, cap_days: int = WGS_CAP_DAYS
) -> ColumnElement[bool]:
    """The condition on `signals` that holds for a signal past its retention at `now`.

    The shortest retention wins, so a signal is expired as soon as ANY covenant version it is
    bound to has run out (unless an accepted case or an extension holds it), and at the latest
    when the WGS cap runs out (unless an extension in force holds it).
    """
    return _due(session, now=now, default_days=default_days, cap_days=cap_days).any


def _expired_ids(
    session: Session, *, now: datetime, default_days: int, cap_days: int
) -> Select[tuple[uuid.UUID]]:
    return (
        select(Signal.id)
        .where(expired(session, now=now, default_days=default_days, cap_days=cap_days))
        .order_by(Signal.pk)
    )


def due_by_rule(
    session: Session, *, now: datetime, default_days: int, cap_days: int = WGS_CAP_DAYS
) -> dict[str, list[str]]:
    """The signals due at `now`, by the rule that makes each due (every rule, maybe empty)."""
    due = _due(session, now=now, default_days=default_days, cap_days=cap_days)
    grouped: dict[str, list[str]] = {rule: [] for rule in RULES}
    for signal_id, rule in session.execute(
        select(Signal.id, due.rule).where(due.any).order_by(Signal.pk)
    ):
        grouped[rule].append(str(signal_id))
    return grouped


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
    cap_days: int = WGS_CAP_DAYS,
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
    if dry_run:
        by_rule = due_by_rule(session, now=now, default_days=default_days, cap_days=cap_days)
        ids = [i for rule in RULES for i in by_rule[rule]]
        return PurgeResult(counted=len(ids), signal_ids=ids, by_rule=by_rule)
    query = _expired_ids(session, now=now, default_days=default_days, cap_days=cap_days)
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
