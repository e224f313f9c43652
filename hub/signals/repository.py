"""Queries on signals and their parts."""

import uuid
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, exists, select
from sqlalchemy.orm import Session

from hub.agencies.models import Agency
from hub.covenants.models import CaseOpening, DisclosureItem, DisclosureRequest
from hub.linking.models import Proposal, ProposalMember
from hub.signals.models import (
    IdempotencyRecord,
    Identifier,
    Signal,
    SignalBarrier,
    SignalIndicator,
    Subject,
)
from hub.signals.subjects import BLOCKING_TYPES, FACT_TYPES
from hub.subjects.models import SignalRestriction


@dataclass(frozen=True)
class SignalFilter:
    barrier: str | None = None
    indicator: str | None = None
    municipality: str | None = None
    status: str | None = None
    observed_since: datetime | None = None
    observed_until: datetime | None = None
    updated_since: datetime | None = None


def own_signal(session: Session, agency_id: int, signal_id: uuid.UUID) -> Signal | None:
    """The signal if this agency posted it; for anyone else it does not exist."""
    return session.scalars(
        select(Signal).where(Signal.id == signal_id, Signal.agency_id == agency_id)
    ).one_or_none()


def own_signal_for_update(session: Session, agency_id: int, signal_id: uuid.UUID) -> Signal | None:
    query = select(Signal).where(Signal.id == signal_id, Signal.agency_id == agency_id)
    # Lock the signal row only: its binding set is joined in, and never changes.
    return session.scalars(query.with_for_update(of=Signal)).one_or_none()


def by_external_refs(session: Session, agency_id: int, refs: list[str]) -> dict[str, uuid.UUID]:
    if not refs:
        return {}
    rows = session.execute(
        select(Signal.external_ref, Signal.id).where(
            Signal.agency_id == agency_id, Signal.external_ref.in_(refs)
        )
    )
    return {ref: sid for ref, sid in rows}


def idempotency_record(session: Session, agency_id: int, key: str) -> IdempotencyRecord | None:
    return session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.agency_id == agency_id, IdempotencyRecord.key == key
        )
    ).one_or_none()


def filtered(query: Select[tuple[Signal]], where: SignalFilter) -> Select[tuple[Signal]]:
    """Apply list filters; barrier and indicator filters are semi-joins, so rows never repeat."""
    if where.barrier is not None:
        query = query.where(
            exists().where(
                SignalBarrier.signal_id == Signal.id, SignalBarrier.barrier == where.barrier
            )
        )
    if where.indicator is not None:
        query = query.where(
            exists().where(
                SignalIndicator.signal_id == Signal.id, SignalIndicator.code == where.indicator
            )
        )
    if where.municipality is not None:
        query = query.where(Signal.municipality == where.municipality)
    if where.status is not None:
        query = query.where(Signal.status == where.status)
    if where.observed_since is not None:
        query = query.where(Signal.observed_at >= where.observed_since)
    if where.observed_until is not None:
        query = query.where(Signal.observed_at < where.observed_until)
    if where.updated_since is not None:
        query = query.where(Signal.updated_at >= where.updated_since)
    return query


def page_of_own(
    session: Session, agency_id: int, where: SignalFilter, *, after: int | None, limit: int
) -> list[Signal]:
    """One page in posting order (the integer key), so pages never skip or repeat a row."""
    query = filtered(select(Signal).where(Signal.agency_id == agency_id), where)
    if after is not None:
        query = query.where(Signal.pk > after)
    return list(session.scalars(query.order_by(Signal.pk).limit(limit)))


# Per signal, its subjects' match keys by position: (type, blind-index token), as match_keys.
MatchKeys = dict[uuid.UUID, dict[int, list[tuple[str, str]]]]


@dataclass
class SignalParts:
    agency_codes: dict[int, str]
    barriers: Mapping[uuid.UUID, Collection[str]]
    indicators: dict[uuid.UUID, list[str]]
    subjects: dict[uuid.UUID, list[Subject]]
    # Read with the subjects when asked for (parts_of(keys=True)); None when not read.
    keys: MatchKeys | None = None


def accepted_by(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, frozenset[str]]:
    """Per signal, the agencies to which a case they accepted (and that holds it still) opened
    it: acceptance opens only the members the agency could see when it accepted."""
    found: dict[uuid.UUID, set[str]] = defaultdict(set)
    for start in range(0, len(ids), 500):
        for signal_id, agency in session.execute(
            select(CaseOpening.signal_id, CaseOpening.agency)
            .join(Proposal, Proposal.id == CaseOpening.proposal_id)
            .join(
                ProposalMember,
                (ProposalMember.proposal_id == CaseOpening.proposal_id)
                & (ProposalMember.signal_id == CaseOpening.signal_id),
            )
            .where(
                CaseOpening.signal_id.in_(ids[start : start + 500]),
                Proposal.status == "accepted",
                Proposal.accepted_by == CaseOpening.agency,
            )
        ):
            found[signal_id].add(agency)
    return {signal_id: frozenset(codes) for signal_id, codes in found.items()}


def granted_to(
    session: Session, ids: list[uuid.UUID]
) -> dict[uuid.UUID, frozenset[tuple[str, str]]]:
    """Per signal, the live disclosure grants of its source: (requesting agency, request id)."""
    found: dict[uuid.UUID, set[tuple[str, str]]] = defaultdict(set)
    for start in range(0, len(ids), 500):
        for signal_id, agency, request_id in session.execute(
            select(DisclosureItem.signal_id, DisclosureRequest.agency, DisclosureRequest.id)
            .join(DisclosureRequest, DisclosureRequest.pk == DisclosureItem.request_pk)
            .where(
                DisclosureItem.signal_id.in_(ids[start : start + 500]),
                DisclosureItem.status == "granted",
            )
        ):
            found[signal_id].add((agency, str(request_id)))
    return {signal_id: frozenset(grants) for signal_id, grants in found.items()}


# A column for queries that read signals for the policy to decide on: whether the contact point
# restricted the signal's processing, read with the row instead of in a query of its own.
# Uncorrelated, so read once and hashed rather than run again for each row (as UNRESTRICTED).
HELD: ColumnElement[bool] = Signal.id.in_(select(SignalRestriction.signal_id))


def restricted(session: Session, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Those of these signals whose processing the contact point restricted."""
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), 500):
        found.update(
            session.scalars(
                select(SignalRestriction.signal_id).where(
                    SignalRestriction.signal_id.in_(ids[start : start + 500])
                )
            )
        )
    return found


def barriers_of(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Each signal's barriers: all the policy needs of a signal's parts."""
    barriers: dict[uuid.UUID, list[str]] = defaultdict(list)
    for signal_id, barrier in session.execute(
        select(SignalBarrier.signal_id, SignalBarrier.barrier).where(
            SignalBarrier.signal_id.in_(ids)
        )
    ):
        barriers[signal_id].append(barrier)
    return barriers


def parts_of(
    session: Session, signals: list[Signal], *, subjects: bool = True, keys: bool = False
) -> SignalParts:
    """Everything a page of signals needs for its representation, in four queries (three
    without `subjects`, for a bare representation); `keys`: with the subjects' match keys (as
    match_keys gives them) read in the same query, for pages that may show pseudonyms."""
    ids = [s.id for s in signals]
    agency_ids = {s.agency_id for s in signals}
    codes = dict(
        session.execute(select(Agency.id, Agency.code).where(Agency.id.in_(agency_ids))).all()
    )
    barriers = barriers_of(session, ids)
    indicators: dict[uuid.UUID, list[str]] = defaultdict(list)
    for signal_id, code in session.execute(
        select(SignalIndicator.signal_id, SignalIndicator.code)
        .where(SignalIndicator.signal_id.in_(ids))
        .order_by(SignalIndicator.code)
    ):
        indicators[signal_id].append(code)
    if not subjects:
        return SignalParts(codes, barriers, indicators, {})
    if keys:
        return SignalParts(codes, barriers, indicators, *_subjects_with_keys(session, ids))
    shown: dict[uuid.UUID, list[Subject]] = defaultdict(list)
    for subject in session.scalars(
        select(Subject).where(Subject.signal_id.in_(ids)).order_by(Subject.position)
    ):
        shown[subject.signal_id].append(subject)
    return SignalParts(codes, barriers, indicators, shown)


def _subjects_with_keys(
    session: Session, ids: list[uuid.UUID]
) -> tuple[dict[uuid.UUID, list[Subject]], MatchKeys]:
    """The signals' subjects and their match keys, in one query: a subject comes once per
    key (or once, without one), in position order, its keys in type order."""
    subjects: dict[uuid.UUID, list[Subject]] = defaultdict(list)
    found: MatchKeys = defaultdict(dict)
    rows = session.execute(
        select(Subject, Identifier.type, Identifier.token)
        .outerjoin(
            Identifier,
            (Identifier.signal_id == Subject.signal_id)
            & (Identifier.subject_position == Subject.position)
            & Identifier.type.not_in(_NOT_MATCH_KEYS),
        )
        .where(Subject.signal_id.in_(ids))
        .order_by(Subject.position, Identifier.type)
    )
    for subject, kind, token in rows:
        shown = subjects[subject.signal_id]
        if not shown or shown[-1].position != subject.position:
            shown.append(subject)
        if kind is not None:
            found[subject.signal_id].setdefault(subject.position, []).append((kind, token))
    return subjects, found


def delete_parts(
    session: Session, signal_id: uuid.UUID, *, barriers: bool, indicators: bool, subjects: bool
) -> None:
    """Remove the parts a correction replaces (identifiers go with their subjects)."""
    if barriers:
        session.execute(delete(SignalBarrier).where(SignalBarrier.signal_id == signal_id))
    if indicators:
        session.execute(delete(SignalIndicator).where(SignalIndicator.signal_id == signal_id))
    if subjects:
        session.execute(delete(Identifier).where(Identifier.signal_id == signal_id))
        session.execute(delete(Subject).where(Subject.signal_id == signal_id))


def by_id(
    session: Session, signal_id: uuid.UUID, *, visible: ColumnElement[bool] | None = None
) -> Signal | None:
    """Any agency's signal (or one the policy clause lets through): only for the policy to
    decide on, never to return as it is."""
    query = select(Signal).where(Signal.id == signal_id)
    if visible is not None:
        query = query.where(visible)
    return session.scalars(query).one_or_none()


def visible_and_held(
    session: Session, signal_id: uuid.UUID, *, visible: ColumnElement[bool]
) -> tuple[Signal | None, bool]:
    """by_id's signal, and whether its processing is restricted: read in the same statement
    (a column, not the clause) for the policy to decide on."""
    row = session.execute(select(Signal, HELD).where(Signal.id == signal_id, visible)).one_or_none()
    return (None, False) if row is None else (row[0], bool(row[1]))


def _page(
    query: Select[Any], visible: ColumnElement[bool], where: SignalFilter, *, after: int | None
) -> Select[Any]:
    query = filtered(query.where(visible), where)
    if after is not None:
        query = query.where(Signal.pk > after)
    return query.order_by(Signal.pk)


def page_where(
    session: Session,
    visible: ColumnElement[bool],
    where: SignalFilter,
    *,
    after: int | None,
    limit: int,
) -> list[Signal]:
    """One page of the signals the policy clause lets through, in posting order."""
    query = _page(select(Signal), visible, where, after=after)
    return list(session.scalars(query.limit(limit)))


def page_and_held(
    session: Session,
    visible: ColumnElement[bool],
    where: SignalFilter,
    *,
    after: int | None,
    limit: int,
) -> tuple[list[Signal], set[uuid.UUID]]:
    """page_where's page, and those of its signals whose processing is restricted: read in
    the same statement (a column, not the clause) for the policy to decide on."""
    rows = session.execute(_page(select(Signal, HELD), visible, where, after=after).limit(limit))
    page, restricted = [], set()
    for signal, is_held in rows:
        page.append(signal)
        if is_held:
            restricted.add(signal.id)
    return page, restricted


# Fact and blocking keys are no match keys: a pseudonym of a nationality, a birth-year bucket
# or a birth date would let viewers group signals by what the hub only uses to weigh links or
# to narrow its search.
_NOT_MATCH_KEYS = sorted(FACT_TYPES | BLOCKING_TYPES)


def match_keys(session: Session, signal_ids: list[uuid.UUID]) -> MatchKeys:
    """Each signal's stored match keys by subject position: (type, blind-index token), fact
    and blocking keys left out."""
    keys: MatchKeys = defaultdict(dict)
    rows = session.execute(
        select(
            Identifier.signal_id, Identifier.subject_position, Identifier.type, Identifier.token
        ).where(
            Identifier.signal_id.in_(signal_ids),
            Identifier.type.not_in(_NOT_MATCH_KEYS),
        )
    ).all()
    # Sorted here rather than by the database: a subject has one or two keys.
    for signal_id, position, kind, token in sorted(rows, key=lambda r: (r[1], r[2])):
        keys[signal_id].setdefault(position, []).append((kind, token))
    return keys
