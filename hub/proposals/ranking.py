"""The queue's order as one viewer sees it: each proposal scored over the members it may see.

Computed from the members' stored facts in a few bulk reads, with the policy's grants and the
redactor's field rules, and without disclosing (so without auditing) anything: only the page
that is then shown is disclosed. Members the viewer may not see never weigh in, so neither the
order, the filters nor a cursor can tell anything about them.
"""

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from hub.covenants.model import Level
from hub.covenants.models import Binding
from hub.covenants.policy import Grant
from hub.covenants.redact import fields_shown
from hub.covenants.sql import visible_to
from hub.covenants.viewer import Viewer
from hub.kit.listparam import values_of
from hub.linking.models import Proposal, ProposalLink, ProposalMember
from hub.linking.score import MemberFacts, score
from hub.signals.models import Signal, SignalBarrier, SignalIndicator
from hub.signals.reads import grants_for
from hub.signals.repository import HELD, SignalParts

# The facts a member's score needs (and the policy: its agency, region and binding).
_FACTS = (
    Signal.id,
    Signal.agency_id,
    Signal.region,
    Signal.municipality,
    Signal.observed_at,
    Signal.reliability,
    Signal.credibility,
    Signal.binding_id,
)


def _codes(column: Any, signal_id: Any) -> Any:
    """A member's codes (barriers, indicators) as one comma-joined string, read with its row:
    codes are lower-case words, dots and hyphens, never commas."""
    return (
        select(func.aggregate_strings(column, ",")).where(signal_id == Signal.id).scalar_subquery()
    )


_BARRIERS = _codes(SignalBarrier.barrier, SignalBarrier.signal_id)
_INDICATORS = _codes(SignalIndicator.code, SignalIndicator.signal_id)
_NONE: frozenset[str] = frozenset()


@dataclass(slots=True)
class _Member:
    """What the policy and the score read of a member (the policy's part as on a Signal)."""

    id: uuid.UUID
    agency_id: int
    region: str | None
    municipality: str | None
    observed_at: datetime | None
    reliability: str | None
    credibility: str | None
    binding_id: int | None
    barriers: frozenset[str] = _NONE
    indicators: frozenset[str] = _NONE
    binding: Binding | None = None


# Proposal ids per statement: well under every database's limit on bound parameters.
_CHUNK = 5000


def _chunks(ids: list[uuid.UUID]) -> list[list[uuid.UUID]]:
    return [ids[start : start + _CHUNK] for start in range(0, len(ids), _CHUNK)]


@dataclass(frozen=True)
class Seen:
    """One proposal as the viewer sees it: its members' facts and grants, and its score."""

    proposal_id: uuid.UUID
    pk: int
    facts: list[MemberFacts]
    grants: dict[uuid.UUID, Grant]
    # The regions of the members whose place the viewer may see.
    regions: frozenset[str]
    score: dict[str, float]
    # The municipalities of the members whose place the viewer may see (one per member).
    places: tuple[str, ...] = ()

    @property
    def barriers(self) -> list[str]:
        return sorted(frozenset().union(*(f.barriers for f in self.facts)))

    @property
    def agencies(self) -> list[str]:
        return sorted({f.agency for f in self.facts})


@dataclass(frozen=True, slots=True)
class _Shows:
    """What a grant lets a member's facts show (redact.fields_shown, asked once per grant)."""

    indicators: bool
    reliability: bool
    credibility: bool
    observed_at: bool
    region: bool
    municipality: bool

    @classmethod
    def of(cls, grant: Grant) -> "_Shows":
        shown = fields_shown(grant)
        return cls(
            "indicators" in shown,
            "reliability" in shown,
            "credibility" in shown,
            "observed_at" in shown,
            "region" in shown,
            "municipality" in shown,
        )


def member_facts(signal: _Member, shows: _Shows, agency: str) -> MemberFacts:
    """A member's facts as the redactor would show them to a grant that shows `shows`."""
    return MemberFacts(
        agency=agency,
        barriers=signal.barriers,
        indicators=signal.indicators if shows.indicators else _NONE,
        reliability=signal.reliability if shows.reliability else None,
        credibility=signal.credibility if shows.credibility else None,
        observed_at=signal.observed_at if shows.observed_at else None,
    )


def _split(codes: str | None, known: dict[str | None, frozenset[str]]) -> frozenset[str]:
    found = known.get(codes)
    if found is None:
        found = known[codes] = frozenset(codes.split(",")) if codes else _NONE
    return found


def seen_by(
    session: Session,
    viewer: Viewer,
    proposals: ColumnElement[bool],
    *,
    weights: Mapping[str, float],
    at: datetime,
) -> dict[uuid.UUID, Seen]:
    """Per proposal that `proposals` (a clause on Proposal) lets through and that the viewer
    may see two members of: what it sees and its score, at time `at`."""
    rows: list[tuple[uuid.UUID, _Member]] = []
    pks: dict[uuid.UUID, int] = {}
    held: set[uuid.UUID] = set()
    # Few members have a set of codes of their own: one frozenset per distinct string.
    known: dict[str | None, frozenset[str]] = {}
    # Plain columns, not mapped objects: thousands of members load several times faster.
    # Only the members the policy's SQL form lets through (the policy below decides each),
    # each with its restriction and its codes: one query, no list of proposals sent back.
    for proposal_id, pk, *facts, is_held, barriers, indicators in session.execute(
        select(ProposalMember.proposal_id, Proposal.pk, *_FACTS, HELD, _BARRIERS, _INDICATORS)
        .join(Proposal, Proposal.id == ProposalMember.proposal_id)
        .join(Signal, Signal.id == ProposalMember.signal_id)
        .where(proposals, visible_to(viewer))
        .order_by(Signal.pk)
    ):
        member = _Member(*facts, _split(barriers, known), _split(indicators, known))
        rows.append((proposal_id, member))
        pks[proposal_id] = pk
        if is_held:
            held.add(member.id)
    signals = list({s.id: s for _, s in rows}.values())
    if not signals:
        return {}
    wanted = {s.binding_id for s in signals if s.binding_id is not None}
    bindings = {
        b.id: b for b in session.scalars(select(Binding).where(Binding.id.in_(sorted(wanted))))
    }
    for s in signals:
        s.binding = bindings.get(s.binding_id) if s.binding_id is not None else None
    codes = {agency_id: agency.code for agency_id, agency in viewer.agencies.items()}
    parts = SignalParts(codes, {s.id: list(s.barriers) for s in signals}, {}, {})
    granted = grants_for(session, viewer, signals, parts=parts, held=held)  # type: ignore[arg-type]
    # grants_for gives signals of one kind the same Grant: what it shows is worked out once.
    shows = {id(g): _Shows.of(g) for g in {id(g): g for g in granted}.values()}
    grant_of = {s.id.int: g for s, g in zip(signals, granted, strict=True)}
    members: dict[uuid.UUID, list[tuple[_Member, Grant]]] = defaultdict(list)
    for proposal_id, signal in rows:
        grant = grant_of[signal.id.int]
        if grant.level >= Level.HIT:
            members[proposal_id].append((signal, grant))
    shown = [p for p, visible in members.items() if len(visible) >= 2]
    links: dict[uuid.UUID, list[tuple[uuid.UUID, uuid.UUID, float]]] = defaultdict(list)
    for ids in _chunks(shown):
        for proposal_id, a, b, points in session.execute(
            select(
                ProposalLink.proposal_id,
                ProposalLink.signal_a,
                ProposalLink.signal_b,
                ProposalLink.points,
            ).where(values_of(session, ProposalLink.proposal_id, ids))
        ):
            links[proposal_id].append((a, b, points))
    out = {}
    for proposal_id in shown:
        visible = members[proposal_id]
        # Ids as integers: a UUID hashes in Python, an integer in C.
        mine = {s.id.int for s, _ in visible}
        seen = [(s, shows[id(g)]) for s, g in visible]
        facts = [member_facts(s, show, codes[s.agency_id]) for s, show in seen]
        points = sorted(w for a, b, w in links[proposal_id] if a.int in mine and b.int in mine)
        out[proposal_id] = Seen(
            proposal_id,
            pks[proposal_id],
            facts,
            {s.id: g for s, g in visible},
            # Only where the grant shows the place: a filter or a count by region must not
            # tell where a member seen at hit level lies.
            frozenset(s.region for s, show in seen if s.region is not None and show.region),
            score(facts, points, indicator_weights=weights, now=at),
            tuple(
                s.municipality
                for s, show in seen
                if s.municipality is not None and show.municipality
            ),
        )
    return out
