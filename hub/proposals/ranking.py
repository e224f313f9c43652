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

from sqlalchemy import ColumnElement, Float, Integer, Select, case, cast, func, null, or_, select
from sqlalchemy.orm import Session

from hub.covenants.model import Level
from hub.covenants.models import Binding
from hub.covenants.policy import Grant
from hub.covenants.redact import fields_shown
from hub.covenants.sql import visible_to
from hub.covenants.viewer import Viewer
from hub.kit.listparam import values_of
from hub.kit.rows import plain_rows
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

    pk: int
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
    # The members it sees with their grants, in the order of their rows.
    members: tuple[tuple["_Member", Grant], ...]
    # The regions of the members whose place the viewer may see.
    regions: frozenset[str]
    score: dict[str, float]
    # The municipalities of the members whose place the viewer may see (one per member).
    places: tuple[str, ...] = ()
    # The points of the links between members it sees, in ascending order.
    link_points: tuple[float, ...] = ()

    @property
    def grants(self) -> dict[uuid.UUID, Grant]:
        return {s.id: g for s, g in self.members}

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


def _statement(viewer: Viewer, proposals: ColumnElement[bool]) -> Select[Any]:
    """One statement: the members the policy's SQL form lets through (the policy in Python then
    decides each), each with its restriction and codes; and per proposal the points of the
    links between two of those members, each distinct value with its count."""
    members = (
        select(
            ProposalMember.proposal_id,
            Proposal.pk.label("proposal_pk"),
            Signal.pk.label("signal_pk"),
            *_FACTS,
            HELD.label("held"),
            _BARRIERS.label("barriers"),
            _INDICATORS.label("indicators"),
        )
        .join(Proposal, Proposal.id == ProposalMember.proposal_id)
        .join(Signal, Signal.id == ProposalMember.signal_id)
        .where(proposals, visible_to(viewer))
        .cte("visible_members")
    )
    # A link with both ends seen meets two member rows (one if it links a member to itself).
    # One join on the proposal, hashed: joining on each end in turn misled the planner (it
    # expected one row and looped over the members for each link).
    link = ProposalLink
    ends = (
        select(members.c.proposal_pk, link.points)
        .join(
            members,
            (members.c.proposal_id == link.proposal_id)
            & or_(members.c.id == link.signal_a, members.c.id == link.signal_b),
        )
        .group_by(members.c.proposal_pk, link.signal_a, link.signal_b, link.points)
        .having(func.count() == case((link.signal_a == link.signal_b, 1), else_=2))
        .subquery("seen_links")
    )
    links = select(
        null(),
        ends.c.proposal_pk,
        *(null() for _ in range(len(_FACTS) + 4)),
        ends.c.points,
        func.count(),
    ).group_by(ends.c.proposal_pk, ends.c.points)
    rows = select(
        *members.c,
        cast(null(), Float).label("points"),
        cast(null(), Integer).label("links"),
    )
    # Members in the order of their rows (the score adds their grading in that order).
    return rows.union_all(links).order_by("signal_pk")


def _links_among(session: Session, seen: dict[uuid.UUID, set[int]]) -> dict[uuid.UUID, list[float]]:
    """Per proposal, the points of its links whose two ends are among `seen` (UUIDs as
    integers): where the policy withheld a member that the SQL form let through."""
    found: dict[uuid.UUID, list[float]] = defaultdict(list)
    for ids in _chunks(list(seen)):
        for proposal_id, a, b, points in session.execute(
            select(
                ProposalLink.proposal_id,
                ProposalLink.signal_a,
                ProposalLink.signal_b,
                ProposalLink.points,
            ).where(values_of(session, ProposalLink.proposal_id, ids))
        ):
            if a.int in seen[proposal_id] and b.int in seen[proposal_id]:
                found[proposal_id].append(points)
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
    members: dict[int, list[_Member]] = defaultdict(list)
    ids: dict[int, uuid.UUID] = {}
    by_pk: dict[int, _Member] = {}
    held: set[uuid.UUID] = set()
    # Per proposal, (points, how many links have them) between members the SQL form lets through.
    counted: dict[int, list[tuple[float, int]]] = defaultdict(list)
    # Few members have a set of codes of their own: one frozenset per distinct string.
    known: dict[str | None, frozenset[str]] = {}
    # Plain rows, not mapped objects: thousands of rows load several times faster. (A time is
    # then aware but in the database session's zone, not UTC: only the score's age reads it.)
    # Columns in _statement's order: _FACTS start with the signal's id.
    for (
        proposal_id,
        proposal_pk,
        signal_pk,
        *facts,
        is_held,
        barriers,
        indicators,
        points,
        links,
    ) in plain_rows(session, _statement(viewer, proposals), {}):
        if signal_pk is None:  # a row of link points
            counted[proposal_pk].append((points, links))
            continue
        member = by_pk.get(signal_pk)
        if member is None:
            member = by_pk[signal_pk] = _Member(
                signal_pk, *facts, _split(barriers, known), _split(indicators, known)
            )
            if is_held:
                held.add(member.id)
        members[proposal_pk].append(member)
        ids[proposal_pk] = proposal_id
    signals = list(by_pk.values())
    if not signals:
        return {}
    wanted = {s.binding_id for s in signals if s.binding_id is not None}
    bindings = {
        b.id: b for b in session.scalars(select(Binding).where(Binding.id.in_(sorted(wanted))))
    }
    for s in signals:
        s.binding = bindings.get(s.binding_id) if s.binding_id is not None else None
    codes = {agency_id: agency.code for agency_id, agency in viewer.agencies.items()}
    # The members' own frozensets: grants_for keys its decisions on them, hashed once each.
    parts = SignalParts(codes, {s.id: s.barriers for s in signals}, {}, {})
    granted = grants_for(session, viewer, signals, parts=parts, held=held)  # type: ignore[arg-type]
    # grants_for gives signals of one kind the same Grant: what it shows is worked out once.
    shows = {id(g): _Shows.of(g) for g in {id(g): g for g in granted}.values()}
    grant_of = {id(s): g for s, g in zip(signals, granted, strict=True)}
    shown: dict[int, list[tuple[_Member, Grant]]] = {}
    # Proposals where the policy withheld a member the SQL form let through (they agree, and
    # tests hold them to it; should they not, the stricter answer wins): links counted anew.
    narrowed: dict[uuid.UUID, set[int]] = {}
    for proposal_pk, listed in members.items():
        visible = [(s, g) for s in listed if (g := grant_of[id(s)]).level >= Level.HIT]
        if len(visible) < 2:
            continue
        shown[proposal_pk] = visible
        if len(visible) < len(listed):
            narrowed[ids[proposal_pk]] = {s.id.int for s, _ in visible}
    recounted = _links_among(session, narrowed) if narrowed else {}
    out = {}
    for proposal_pk, visible in shown.items():
        proposal_id = ids[proposal_pk]
        if proposal_id in narrowed:
            points = sorted(recounted.get(proposal_id, ()))
        else:
            points = [w for w, n in sorted(counted.get(proposal_pk, ())) for _ in range(n)]
        seen = [(s, shows[id(g)]) for s, g in visible]
        facts = [member_facts(s, show, codes[s.agency_id]) for s, show in seen]
        out[proposal_id] = Seen(
            proposal_id,
            proposal_pk,
            facts,
            tuple(visible),
            # Only where the grant shows the place: a filter or a count by region must not
            # tell where a member seen at hit level lies.
            frozenset(s.region for s, show in seen if s.region is not None and show.region),
            score(facts, points, indicator_weights=weights, now=at),
            tuple(
                s.municipality
                for s, show in seen
                if s.municipality is not None and show.municipality
            ),
            tuple(points),
        )
    return out
