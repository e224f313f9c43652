"""Queries of the trend report: counts grouped in SQL, and the stored renditions.

The database counts (per day, region, source kind, barrier, indicator), so a report over a
million signals reads a few thousand rows. Days are Europe/Amsterdam days: PostgreSQL groups
by the local date itself; SQLite has no time-zone rules, so it groups by UTC hour and the local
day is worked out here (an hour never straddles two local days: the offset is whole hours).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, and_, cast, func, select
from sqlalchemy.orm import Session

from hub.agencies.models import Agency
from hub.linking.models import Proposal, ProposalEvent, ProposalMember
from hub.reports.build import (
    LIVE_STATUSES,
    TIME_ZONE,
    BarrierCount,
    IndicatorCount,
    ProposalFacts,
    SignalCount,
)
from hub.reports.models import Report
from hub.signals.models import Signal, SignalBarrier, SignalIndicator

ZONE = ZoneInfo(TIME_ZONE)
# Proposal events that record an analyst's decision; until they exist a decided proposal's
# last update stands in for the moment of decision.
DECISION_ACTIONS = ("accepted", "rejected", "decided")


def day_start(day: date) -> datetime:
    """The first instant of a local day, in UTC."""
    return datetime.combine(day, time(), ZONE).astimezone(UTC)


def local_day(at: datetime) -> date:
    return at.astimezone(ZONE).date()


class _Days:
    """The dialect's day bucket of a timestamp column, and its conversion to a local date."""

    def __init__(self, session: Session) -> None:
        self.postgres = session.get_bind().dialect.name == "postgresql"

    def bucket(self, column: Any) -> ColumnElement[Any]:
        if self.postgres:
            return cast(func.timezone(TIME_ZONE, column), Date)
        return func.substr(column, 1, 13)

    def day(self, bucket: Any) -> date:
        if self.postgres:
            return bucket
        return local_day(datetime.strptime(bucket, "%Y-%m-%d %H").replace(tzinfo=UTC))

    def array_length(self, column: Any) -> ColumnElement[int]:
        return func.jsonb_array_length(column) if self.postgres else func.json_array_length(column)


def _counted(first: date, last: date) -> ColumnElement[bool]:
    """Active signals observed in [first, last] that the hub held by the end of `last`."""
    end = day_start(last + timedelta(days=1))
    return and_(
        Signal.status == "active",
        Signal.observed_at >= day_start(first),
        Signal.observed_at < end,
        Signal.created_at < end,
    )


def _regroup(rows: Iterable[Sequence[Any]], days: _Days) -> list[tuple[Any, ...]]:
    """Sum rows (bucket, *keys, count) into (day, *keys, count)."""
    out: dict[tuple[Any, ...], int] = defaultdict(int)
    for bucket, *keys, count in rows:
        out[(days.day(bucket), *keys)] += count
    return [(*k, v) for k, v in out.items()]


def signal_counts(session: Session, first: date, last: date) -> list[SignalCount]:
    days = _Days(session)
    multi = (
        select(ProposalMember.signal_id)
        .join(Proposal, Proposal.id == ProposalMember.proposal_id)
        .where(Proposal.status.in_(LIVE_STATUSES), days.array_length(Proposal.barriers) >= 2)
    )
    bucket = days.bucket(Signal.observed_at).label("bucket")
    in_multi = Signal.id.in_(multi).label("in_multi")
    rows = session.execute(
        select(bucket, Signal.region, Agency.kind, in_multi, func.count())
        .join(Agency, Agency.id == Signal.agency_id)
        .where(_counted(first, last))
        .group_by(bucket, Signal.region, Agency.kind, in_multi)
    )
    return [SignalCount(d, r, k, bool(m), n) for d, r, k, m, n in _regroup(rows, days)]


def barrier_counts(session: Session, first: date, last: date) -> list[BarrierCount]:
    days = _Days(session)
    bucket = days.bucket(Signal.observed_at).label("bucket")
    rows = session.execute(
        select(bucket, SignalBarrier.barrier, Signal.region, func.count())
        .join(Signal, Signal.id == SignalBarrier.signal_id)
        .where(_counted(first, last))
        .group_by(bucket, SignalBarrier.barrier, Signal.region)
    )
    return [BarrierCount(d, b, r, n) for d, b, r, n in _regroup(rows, days)]


def indicator_counts(session: Session, first: date, last: date) -> list[IndicatorCount]:
    days = _Days(session)
    bucket = days.bucket(Signal.observed_at).label("bucket")
    rows = session.execute(
        select(bucket, SignalIndicator.code, func.count())
        .join(Signal, Signal.id == SignalIndicator.signal_id)
        .where(_counted(first, last))
        .group_by(bucket, SignalIndicator.code)
    )
    return [IndicatorCount(d, c, n) for d, c, n in _regroup(rows, days)]


def proposal_facts(session: Session, last: date) -> list[ProposalFacts]:
    """Every proposal made by the end of `last`: status, barriers spanned, dates. No ids."""
    days = _Days(session)
    decided = (
        select(func.max(ProposalEvent.at))
        .where(
            ProposalEvent.proposal_id == Proposal.id,
            ProposalEvent.action.in_(DECISION_ACTIONS),
        )
        .scalar_subquery()
    )
    first_signal = (
        select(func.min(Signal.observed_at))
        .join(ProposalMember, ProposalMember.signal_id == Signal.id)
        .where(ProposalMember.proposal_id == Proposal.id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Proposal.status,
            days.array_length(Proposal.barriers),
            Proposal.created_at,
            Proposal.updated_at,
            decided,
            first_signal,
        ).where(Proposal.created_at < day_start(last + timedelta(days=1)))
    )
    facts = []
    for status, barriers, created, updated, decided_at, first in rows:
        created, updated = _aware(created), _aware(updated)
        at = (_aware(decided_at) or updated) if status in ("accepted", "rejected") else None
        first = _aware(first)
        facts.append(
            ProposalFacts(
                status=status,
                barriers=int(barriers or 0),
                created=local_day(created),
                decided=local_day(at) if at else None,
                days_to_decision=(at - first).total_seconds() / 86400 if at and first else None,
            )
        )
    return facts


def _aware(value: Any) -> datetime | None:
    """Scalar subqueries bypass the column type: SQLite hands back naive UTC text or datetimes."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def by_date(session: Session, report_date: date) -> Report | None:
    return session.scalars(select(Report).where(Report.report_date == report_date)).first()


def listing(session: Session) -> list[tuple[date, datetime, str]]:
    """Every stored report's date, build time and schema version, newest first."""
    rows = session.execute(
        select(Report.report_date, Report.generated_at, Report.schema_version).order_by(
            Report.report_date.desc()
        )
    )
    return [(d, g, v) for d, g, v in rows]
