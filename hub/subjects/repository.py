"""Queries of the contact point: who holds a person (by token), what they were shown to, and
the requests and corrections themselves."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.agencies.models import Agency
from hub.audit.models import AuditEvent
from hub.covenants.models import CaseOpening, DisclosureItem, DisclosureRequest
from hub.digests.models import Digest
from hub.linking.models import Proposal, ProposalLink, ProposalMember
from hub.signals.models import Identifier, Signal, SignalVersion, Subject
from hub.subjects.models import SignalRestriction, SubjectCorrection, SubjectRequest

CHUNK = 500


def _chunks(values: list[uuid.UUID]) -> list[list[uuid.UUID]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


@dataclass
class Holdings:
    """Where a person is held: subject positions per signal, and the proposals holding them."""

    subjects: dict[uuid.UUID, set[int]] = field(default_factory=dict)
    agencies: dict[uuid.UUID, str] = field(default_factory=dict)
    restricted: set[uuid.UUID] = field(default_factory=set)
    proposals: list[tuple[Proposal, list[uuid.UUID]]] = field(default_factory=list)

    @property
    def signal_ids(self) -> list[uuid.UUID]:
        return sorted(self.subjects, key=str)


def holdings(session: Session, tokens: list[tuple[str, str]]) -> Holdings:
    """Every subject whose match keys carry one of these (type, token) pairs, retracted signals
    included (they are held still), with the proposals and cases of any status holding them."""
    found = Holdings()
    wanted = set(map(tuple, tokens))
    if not wanted:
        return found
    rows = session.execute(
        select(
            Identifier.type, Identifier.token, Identifier.signal_id, Identifier.subject_position
        ).where(Identifier.token.in_(sorted({t for _, t in wanted})))
    )
    for kind, token, signal_id, position in rows:
        if (kind, token) in wanted:
            found.subjects.setdefault(signal_id, set()).add(position)
    ids = found.signal_ids
    for chunk in _chunks(ids):
        rows = session.execute(
            select(Signal.id, Agency.code)
            .join(Agency, Agency.id == Signal.agency_id)
            .where(Signal.id.in_(chunk))
        )
        found.agencies.update((signal_id, code) for signal_id, code in rows)
        found.restricted.update(
            session.scalars(
                select(SignalRestriction.signal_id).where(SignalRestriction.signal_id.in_(chunk))
            )
        )
    members: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for chunk in _chunks(ids):
        for proposal_id, signal_id in session.execute(
            select(ProposalMember.proposal_id, ProposalMember.signal_id).where(
                ProposalMember.signal_id.in_(chunk)
            )
        ):
            members[proposal_id].append(signal_id)
    for chunk in _chunks(sorted(members, key=str)):
        for proposal in session.scalars(
            select(Proposal).where(Proposal.id.in_(chunk)).order_by(Proposal.pk)
        ):
            found.proposals.append((proposal, sorted(members[proposal.id], key=str)))
    return found


def positions_of(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, set[int]]:
    """Every subject position of these signals."""
    found: dict[uuid.UUID, set[int]] = defaultdict(set)
    for chunk in _chunks(ids):
        for signal_id, position in session.execute(
            select(Subject.signal_id, Subject.position).where(Subject.signal_id.in_(chunk))
        ):
            found[signal_id].add(position)
    return found


def identifiers_at(session: Session, places: dict[uuid.UUID, set[int]]) -> list[tuple[str, str]]:
    """(key type, blind-index token) of every key of the subjects at these places."""
    found: list[tuple[str, str]] = []
    for chunk in _chunks(sorted(places, key=str)):
        for signal_id, position, kind, token in session.execute(
            select(
                Identifier.signal_id,
                Identifier.subject_position,
                Identifier.type,
                Identifier.token,
            ).where(Identifier.signal_id.in_(chunk))
        ):
            if position in places[signal_id]:
                found.append((kind, token))
    return found


@dataclass(frozen=True)
class Recipient:
    """One agency that received a signal holding the person, and how."""

    signal_id: str
    agency: str
    how: str  # "disclosed" (a read or lookup), "case-opening" or "disclosure-grant"
    at: datetime | None
    level: str | None = None
    purpose: str | None = None
    covenant: str | None = None


def recipients(session: Session, ids: list[uuid.UUID]) -> list[Recipient]:
    """Who was shown these signals: disclosures in the audit trail, case openings and grants."""
    found: list[Recipient] = []
    for chunk in _chunks(ids):
        names = [str(i) for i in chunk]
        for event in session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "signal.disclosed", AuditEvent.object_id.in_(names))
            .order_by(AuditEvent.seq)
        ):
            covenant = (
                f"{event.covenant_id}@{event.covenant_version}" if event.covenant_id else None
            )
            found.append(
                Recipient(
                    str(event.object_id),
                    event.agency,
                    "disclosed",
                    event.occurred_at,
                    event.level,
                    event.purpose,
                    covenant,
                )
            )
        for signal_id, agency, at in session.execute(
            select(CaseOpening.signal_id, CaseOpening.agency, CaseOpening.opened_at).where(
                CaseOpening.signal_id.in_(chunk)
            )
        ):
            found.append(Recipient(str(signal_id), agency, "case-opening", at, "full"))
        for signal_id, agency, at in session.execute(
            select(DisclosureItem.signal_id, DisclosureRequest.agency, DisclosureItem.decided_at)
            .join(DisclosureRequest, DisclosureRequest.pk == DisclosureItem.request_pk)
            .where(DisclosureItem.signal_id.in_(chunk), DisclosureItem.status == "granted")
        ):
            found.append(Recipient(str(signal_id), agency, "disclosure-grant", at, "full"))
    return found


def signals(session: Session, ids: list[uuid.UUID]) -> list[Signal]:
    found: list[Signal] = []
    for chunk in _chunks(ids):
        found += session.scalars(select(Signal).where(Signal.id.in_(chunk)).order_by(Signal.pk))
    return found


def versions_of(session: Session, ids: list[uuid.UUID]) -> list[SignalVersion]:
    found: list[SignalVersion] = []
    for chunk in _chunks(ids):
        found += session.scalars(select(SignalVersion).where(SignalVersion.signal_id.in_(chunk)))
    return found


def links_touching(session: Session, ids: list[uuid.UUID]) -> list[ProposalLink]:
    """Stored links of any proposal with one of these signals at either end."""
    found: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID], ProposalLink] = {}
    for chunk in _chunks(ids):
        for column in (ProposalLink.signal_a, ProposalLink.signal_b):
            for link in session.scalars(select(ProposalLink).where(column.in_(chunk))):
                found[(link.proposal_id, link.signal_a, link.signal_b)] = link
    return list(found.values())


def digests_naming(session: Session, ids: list[uuid.UUID]) -> list[Digest]:
    """Stored digests whose document names one of these signal ids."""
    found: dict[int, Digest] = {}
    for signal_id in ids:
        for digest in session.scalars(
            select(Digest).where(Digest.content.contains(str(signal_id)))
        ):
            found[digest.id] = digest
    return list(found.values())


def request_by_id(
    session: Session, request_id: uuid.UUID, *, lock: bool = False
) -> SubjectRequest | None:
    query = select(SubjectRequest).where(SubjectRequest.id == request_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def requests_page(session: Session, *, limit: int) -> list[SubjectRequest]:
    """The newest requests first."""
    return list(
        session.scalars(select(SubjectRequest).order_by(SubjectRequest.pk.desc()).limit(limit))
    )


def corrections_for(
    session: Session, agency_id: int, *, limit: int
) -> list[tuple[SubjectCorrection, int]]:
    """The corrections routed to this agency, oldest first, with each signal's version now."""
    rows = session.execute(
        select(SubjectCorrection, Signal.version)
        .join(Signal, Signal.id == SubjectCorrection.signal_id)
        .where(SubjectCorrection.source_agency_id == agency_id)
        .order_by(SubjectCorrection.pk)
        .limit(limit)
    )
    return [(correction, version) for correction, version in rows]


def restrictions_of(session: Session, request_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(SignalRestriction.signal_id).where(SignalRestriction.request_id == request_id)
        )
    )
