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

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.covenants.model import Level
from hub.covenants.models import Binding
from hub.covenants.policy import Grant
from hub.covenants.redact import fields_shown
from hub.covenants.viewer import Viewer
from hub.kit.listparam import values_of
from hub.linking.models import ProposalLink, ProposalMember
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


@dataclass
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
    binding: Binding | None = None


# Proposal ids per statement: well under every database's limit on bound parameters.
_CHUNK = 5000


def _chunks(ids: list[uuid.UUID]) -> list[list[uuid.UUID]]:
    return [ids[start : start + _CHUNK] for start in range(0, len(ids), _CHUNK)]


@dataclass(frozen=True)
class Seen:
    """One proposal as the viewer sees it: its members' facts and grants, and its score."""

    proposal_id: uuid.UUID
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


def member_facts(signal: "_Member", grant: Grant, agency: str, parts: SignalParts) -> MemberFacts:
    """A member's facts as the redactor would show them to this grant."""
    shown = fields_shown(grant)
    return MemberFacts(
        agency=agency,
        barriers=frozenset(parts.barriers.get(signal.id, ())),
        indicators=frozenset(parts.indicators.get(signal.id, ()) if "indicators" in shown else ()),
        reliability=signal.reliability if "reliability" in shown else None,
        credibility=signal.credibility if "credibility" in shown else None,
        observed_at=signal.observed_at if "observed_at" in shown else None,
    )


def seen_by(
    session: Session,
    viewer: Viewer,
    proposal_ids: list[uuid.UUID],
    *,
    weights: Mapping[str, float],
    at: datetime,
) -> dict[uuid.UUID, Seen]:
    """Per proposal of `proposal_ids` that the viewer may see two members of: what it sees
    and its score, at time `at`."""
    rows: list[tuple[uuid.UUID, _Member]] = []
    held: set[uuid.UUID] = set()
    barriers: dict[uuid.UUID, list[str]] = defaultdict(list)
    indicators: dict[uuid.UUID, list[str]] = defaultdict(list)
    links: dict[uuid.UUID, list[tuple[uuid.UUID, uuid.UUID, float]]] = defaultdict(list)
    for ids in _chunks(proposal_ids):
        # Plain columns, not mapped objects: thousands of members load several times faster.
        # Each with its restriction, for the policy: read here, not 500 members at a time.
        for proposal_id, *facts, is_held in session.execute(
            select(ProposalMember.proposal_id, *_FACTS, HELD)
            .join(Signal, Signal.id == ProposalMember.signal_id)
            .where(values_of(session, ProposalMember.proposal_id, ids))
            .order_by(Signal.pk)
        ):
            rows.append((proposal_id, _Member(*facts)))
            if is_held:
                held.add(facts[0])
        member = select(ProposalMember.signal_id).where(
            values_of(session, ProposalMember.proposal_id, ids)
        )
        for signal_id, barrier in session.execute(
            select(SignalBarrier.signal_id, SignalBarrier.barrier).where(
                SignalBarrier.signal_id.in_(member)
            )
        ):
            barriers[signal_id].append(barrier)
        for signal_id, code in session.execute(
            select(SignalIndicator.signal_id, SignalIndicator.code).where(
                SignalIndicator.signal_id.in_(member)
            )
        ):
            indicators[signal_id].append(code)
        for proposal_id, a, b, points in session.execute(
            select(
                ProposalLink.proposal_id,
                ProposalLink.signal_a,
                ProposalLink.signal_b,
                ProposalLink.points,
            ).where(values_of(session, ProposalLink.proposal_id, ids))
        ):
            links[proposal_id].append((a, b, points))
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
    parts = SignalParts(codes, barriers, indicators, {})
    grants = dict(
        zip(
            (s.id for s in signals),
            grants_for(session, viewer, signals, parts=parts, held=held),  # type: ignore[arg-type]
            strict=True,
        )
    )
    members: dict[uuid.UUID, list[_Member]] = defaultdict(list)
    for proposal_id, signal in rows:
        if grants[signal.id].level >= Level.HIT:
            members[proposal_id].append(signal)
    out = {}
    for proposal_id, visible in members.items():
        if len(visible) < 2:
            continue
        mine = {s.id: grants[s.id] for s in visible}
        facts = [member_facts(s, mine[s.id], codes[s.agency_id], parts) for s in visible]
        points = sorted(w for a, b, w in links[proposal_id] if a in mine and b in mine)
        out[proposal_id] = Seen(
            proposal_id,
            facts,
            mine,
            # Only where the grant shows the place: a filter or a count by region must not
            # tell where a member seen at hit level lies.
            frozenset(
                s.region
                for s in visible
                if s.region is not None and "region" in fields_shown(mine[s.id])
            ),
            score(facts, points, indicator_weights=weights, now=at),
            tuple(
                s.municipality
                for s in visible
                if s.municipality is not None and "municipality" in fields_shown(mine[s.id])
            ),
        )
    return out
