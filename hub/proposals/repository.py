"""The queries of case proposals' workflow: members, constraint pairs, events, case numbers.

The read model's queries (what a viewer may see) stay with it in `reads.py`, next to the
policy they apply; what is here is read or written the same for every viewer.
"""

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.orm import Session

from hub.kit.bulk import insert_rows
from hub.linking.models import LinkJoin, Proposal, ProposalEvent, ProposalMember
from hub.signals.models import Signal


def by_id(session: Session, proposal_id: uuid.UUID) -> Proposal | None:
    return session.scalars(select(Proposal).where(Proposal.id == proposal_id)).one_or_none()


def members(session: Session, proposal_id: uuid.UUID) -> set[uuid.UUID]:
    return set(
        session.scalars(
            select(ProposalMember.signal_id).where(ProposalMember.proposal_id == proposal_id)
        )
    )


def set_members(session: Session, proposal: Proposal, signal_ids: set[uuid.UUID]) -> None:
    session.execute(delete(ProposalMember).where(ProposalMember.proposal_id == proposal.id))
    insert_rows(
        session,
        ProposalMember,
        [{"proposal_id": proposal.id, "signal_id": m} for m in sorted(signal_ids, key=str)],
    )
    proposal.size = len(signal_ids)


def insert_pairs(
    session: Session, model: type, pairs: set[tuple[uuid.UUID, uuid.UUID]], **extra: Any
) -> list[list[str]]:
    """Insert the pairs not stored yet; the ones inserted (so an undo removes only those)."""
    if not pairs:
        return []
    stored = set()
    for chunk in _chunks(sorted(pairs)):
        stored |= set(
            session.execute(
                select(model.signal_a, model.signal_b).where(
                    tuple_(model.signal_a, model.signal_b).in_(chunk)
                )
            ).all()
        )
    new = sorted(pairs - stored)
    insert_rows(session, model, [{"signal_a": a, "signal_b": b, **extra} for a, b in new])
    return [[str(a), str(b)] for a, b in new]


def delete_pairs(session: Session, model: type, pairs: Iterable[list[str]]) -> None:
    wanted = [(uuid.UUID(a), uuid.UUID(b)) for a, b in pairs]
    for chunk in _chunks(wanted):
        session.execute(delete(model).where(tuple_(model.signal_a, model.signal_b).in_(chunk)))


def _chunks(values: list[Any], size: int = 400) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def next_case_number(session: Session, agency_code: str, year: int) -> str:
    """The agency's next case number for the year; call under the linking lock, so two
    acceptances never draw the same number."""
    prefix = f"{agency_code}-{year}-"
    last = session.scalar(
        select(Proposal.case_number)
        .where(Proposal.case_number.like(f"{prefix}%"))
        .order_by(func.length(Proposal.case_number).desc(), Proposal.case_number.desc())
        .limit(1)
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def event(session: Session, proposal_id: uuid.UUID, event_pk: int) -> ProposalEvent | None:
    return session.scalars(
        select(ProposalEvent).where(
            ProposalEvent.pk == event_pk, ProposalEvent.proposal_id == proposal_id
        )
    ).one_or_none()


def events(session: Session, proposal_id: uuid.UUID) -> list[ProposalEvent]:
    """A proposal's history, oldest first."""
    return list(
        session.scalars(
            select(ProposalEvent)
            .where(ProposalEvent.proposal_id == proposal_id)
            .order_by(ProposalEvent.pk)
        )
    )


def undone(session: Session, proposal_id: uuid.UUID, event_pk: int) -> bool:
    """Whether the merge or split `event_pk` of this proposal was undone."""
    for detail in session.scalars(
        select(ProposalEvent.detail).where(
            ProposalEvent.proposal_id == proposal_id, ProposalEvent.action == "undone"
        )
    ):
        if detail and detail.get("event") == event_pk:
            return True
    return False


def merged_into(session: Session, proposal_id: uuid.UUID) -> uuid.UUID | None:
    return session.scalar(
        select(Proposal.merged_into).where(Proposal.id == proposal_id, Proposal.status == "merged")
    )


def accepted_cases_holding(session: Session, signal_id: uuid.UUID) -> list[Proposal]:
    """The accepted cases a signal is a member of, in the order they were decided."""
    return list(
        session.scalars(
            select(Proposal)
            .join(ProposalMember, ProposalMember.proposal_id == Proposal.id)
            .where(ProposalMember.signal_id == signal_id, Proposal.status == "accepted")
            .order_by(Proposal.decided_at)
        )
    )


def joins_within(session: Session, signal_ids: set[uuid.UUID]) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """The analysts' merge pairs between these signals."""
    return [
        (a, b)
        for a, b in session.execute(
            select(LinkJoin.signal_a, LinkJoin.signal_b).where(
                LinkJoin.signal_a.in_(signal_ids), LinkJoin.signal_b.in_(signal_ids)
            )
        )
    ]


def other_members(session: Session, proposal_id: uuid.UUID, but: uuid.UUID) -> list[Signal]:
    """A proposal's member signals other than `but`, in posting order."""
    return list(
        session.scalars(
            select(Signal)
            .join(ProposalMember, ProposalMember.signal_id == Signal.id)
            .where(ProposalMember.proposal_id == proposal_id, Signal.id != but)
            .order_by(Signal.pk)
        )
    )
