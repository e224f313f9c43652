"""Queries of partner digests: the day's proposal changes and disclosures, and stored rows."""

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.agencies.models import Agency
from hub.audit.models import AuditEvent
from hub.digests.models import Delivery, Digest, Webhook
from hub.linking.models import Proposal, ProposalMember
from hub.signals.models import Signal

ZONE = ZoneInfo("Europe/Amsterdam")


def day_window(day: date) -> tuple[datetime, datetime]:
    """The first instant of the Amsterdam day and of the next one, in UTC."""
    start = datetime.combine(day, time(), ZONE).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), ZONE).astimezone(UTC)
    return start, end


def agencies(session: Session) -> list[tuple[int, str]]:
    """Every agency (id, code), by code."""
    rows = session.execute(select(Agency.id, Agency.code).order_by(Agency.code))
    return [(row.id, row.code) for row in rows]


def accepted_cases(
    session: Session, start: datetime, end: datetime
) -> dict[uuid.UUID, tuple[str, str]]:
    """Cases accepted in [start, end) and still accepted: id -> (case number, accepted by)."""
    rows = session.execute(
        select(Proposal.id, Proposal.case_number, Proposal.accepted_by).where(
            Proposal.status == "accepted",
            Proposal.decided_at >= start,
            Proposal.decided_at < end,
            Proposal.case_number.is_not(None),
            Proposal.accepted_by.is_not(None),
        )
    )
    return {pid: (number, by) for pid, number, by in rows}


def members_by_agency(
    session: Session, proposal_ids: list[uuid.UUID]
) -> dict[int, dict[uuid.UUID, set[str]]]:
    """Agency id -> proposal id -> that agency's signals among the proposal's members."""
    found: dict[int, dict[uuid.UUID, set[str]]] = defaultdict(lambda: defaultdict(set))
    for chunk in _chunks(proposal_ids):
        rows = session.execute(
            select(Signal.agency_id, ProposalMember.proposal_id, Signal.id)
            .join(Signal, Signal.id == ProposalMember.signal_id)
            .where(ProposalMember.proposal_id.in_(chunk))
        )
        for agency_id, proposal_id, signal_id in rows:
            found[agency_id][proposal_id].add(str(signal_id))
    return found


def disclosures(
    session: Session, start: datetime, end: datetime
) -> list[tuple[str, str, str, str, dict[str, Any] | None]]:
    """Every disclosure of a signal to an agency other than its source in [start, end):
    (owner, viewer, level, signal id, detail)."""
    rows = session.execute(
        select(
            AuditEvent.owner,
            AuditEvent.agency,
            AuditEvent.level,
            AuditEvent.object_id,
            AuditEvent.detail,
        ).where(
            AuditEvent.action == "signal.disclosed",
            AuditEvent.occurred_at >= start,
            AuditEvent.occurred_at < end,
            AuditEvent.owner != AuditEvent.agency,
        )
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _chunks(ids: list[uuid.UUID], size: int = 500) -> list[list[uuid.UUID]]:
    """Bounded IN lists: SQLite caps the number of bound parameters in one statement."""
    return [ids[n : n + size] for n in range(0, len(ids), size)]


def digest_of(session: Session, agency_id: int, day: date) -> Digest | None:
    return session.scalars(
        select(Digest).where(Digest.agency_id == agency_id, Digest.digest_date == day)
    ).one_or_none()


def digests_on(session: Session, day: date) -> dict[int, Digest]:
    """The stored digests of one day, by agency id."""
    rows = session.scalars(select(Digest).where(Digest.digest_date == day))
    return {digest.agency_id: digest for digest in rows}


def webhooks(session: Session) -> dict[int, Webhook]:
    """Every registered webhook, by agency id."""
    return {w.agency_id: w for w in session.scalars(select(Webhook))}


def webhook_of(session: Session, agency_id: int) -> Webhook | None:
    return session.scalars(select(Webhook).where(Webhook.agency_id == agency_id)).one_or_none()


def delivery_of(session: Session, webhook_id: int, digest_id: int) -> Delivery | None:
    return session.scalars(
        select(Delivery).where(Delivery.webhook_id == webhook_id, Delivery.digest_id == digest_id)
    ).one_or_none()


def due(session: Session, at: datetime, limit: int) -> list[Delivery]:
    """Pending deliveries whose next attempt is due, oldest first, locked where the database
    can (PostgreSQL: rows another process is sending are skipped, not waited for)."""
    query = (
        select(Delivery)
        .where(Delivery.status == "pending", Delivery.next_attempt_at <= at)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))
