"""Proposals as one viewer may see them: the members it may see, redacted, audited.

A proposal is shown to a viewer only when it may see at least two of its members (at `hit` level
or more): a "cluster" of one is no cluster, and members it may not see are absent, never counted.
Everything derived (barriers, agencies, score, explanation) is derived from the members as the
viewer sees them, after the one policy decision point and the redactor.
"""

import uuid
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from hub.agencies.directory import AgencyDirectory
from hub.auth.caller import Caller
from hub.covenants.model import Covenant, Level
from hub.covenants.policy import Grant
from hub.covenants.redact import pseudonymiser
from hub.covenants.sql import visible
from hub.db import now
from hub.errors import NotFound
from hub.kit import clock
from hub.kit.crypto import DataKeys
from hub.linking.models import Proposal, ProposalLink, ProposalMember
from hub.linking.score import MemberFacts, score
from hub.signals.models import Signal
from hub.signals.reads import disclose, grants_for


def _clause(session: Session, caller: Caller, purpose: str | None, **kw: Any) -> Any:
    agencies: AgencyDirectory = kw["agencies"]
    return visible(
        viewer=agencies.get(session, caller.agency_id),
        viewer_id=caller.agency_id,
        purpose=purpose,
        covenants=kw["covenants"],
        agencies=agencies.all(session),
        today=clock.today(),
    )


def _seen_by(clause: ColumnElement[bool]) -> Any:
    """How many of a proposal's members the clause lets through (correlated)."""
    return (
        select(func.count())
        .select_from(ProposalMember)
        .join(Signal, Signal.id == ProposalMember.signal_id)
        .where(ProposalMember.proposal_id == Proposal.id, clause)
        .scalar_subquery()
    )


def _views(
    session: Session,
    keys: DataKeys,
    caller: Caller,
    proposals: list[Proposal],
    *,
    purpose: str | None,
    covenants: tuple[Covenant, ...],
    agencies: AgencyDirectory,
) -> dict[uuid.UUID, tuple[list[dict[str, Any]], dict[uuid.UUID, Grant]]]:
    """Per proposal: its members as the viewer sees them (redacted, audited) and their grants."""
    ids = [p.id for p in proposals]
    rows = session.execute(
        select(ProposalMember.proposal_id, Signal)
        .join(Signal, Signal.id == ProposalMember.signal_id)
        .where(ProposalMember.proposal_id.in_(ids))
        .order_by(Signal.pk)
    ).all()
    signals = list({s.id: s for _, s in rows}.values())
    grants = dict(
        zip(
            (s.id for s in signals),
            grants_for(
                session, caller, signals, purpose=purpose, covenants=covenants, agencies=agencies
            ),
            strict=True,
        )
    )
    pairs = [(s, grants[s.id]) for s in signals if grants[s.id].level >= Level.HIT]
    shown = dict(
        zip(
            (s.id for s, _ in pairs),
            disclose(session, keys, caller, pairs, purpose, agencies),
            strict=True,
        )
    )
    views: dict[uuid.UUID, tuple[list[dict[str, Any]], dict[uuid.UUID, Grant]]] = defaultdict(
        lambda: ([], {})
    )
    for proposal_id, signal in rows:
        if signal.id in shown:
            members, member_grants = views[proposal_id]
            members.append(shown[signal.id])
            member_grants[signal.id] = grants[signal.id]
    return views


def _facts(member: Mapping[str, Any]) -> MemberFacts:
    observed = member.get("observed_at")
    return MemberFacts(
        agency=member["agency"],
        barriers=frozenset(member.get("barriers") or ()),
        indicators=frozenset(member.get("indicators") or ()),
        reliability=member.get("reliability"),
        credibility=member.get("credibility"),
        observed_at=observed if isinstance(observed, datetime) or observed is None else None,
    )


def _explanation(
    session: Session,
    keys: DataKeys,
    caller: Caller,
    proposal_id: uuid.UUID,
    grants: Mapping[uuid.UUID, Grant],
) -> list[dict[str, Any]]:
    """Which values link which members, shown at the lower of the two members' levels: the
    type and points always, a pseudonym (the same one the members' subjects carry) from
    `pseudonymised` up, when both grants name that identifier type."""
    pseudonym = pseudonymiser(keys.pseudonym_key, caller.agency_code)
    links = session.scalars(
        select(ProposalLink)
        .where(ProposalLink.proposal_id == proposal_id)
        .order_by(ProposalLink.points.desc(), ProposalLink.signal_a, ProposalLink.signal_b)
    )
    out = []
    for link in links:
        a, b = grants.get(link.signal_a), grants.get(link.signal_b)
        if a is None or b is None:
            continue
        shared = []
        for key_type, token, points in link.evidence:
            item: dict[str, Any] = {"type": key_type, "points": points}
            if all(g.level >= Level.PSEUDONYMISED and _names_type(g, key_type) for g in (a, b)):
                item["pseudonym"] = pseudonym(key_type, token)
            shared.append(item)
        out.append(
            {
                "signals": [str(link.signal_a), str(link.signal_b)],
                "points": link.points,
                "bridge": link.bridge,
                "shared": shared,
            }
        )
    return out


# Match-key types and the subject type (the covenant's data category) they come from.
_CATEGORY_OF = {"person": "person", "bsn": "person", "kvk": "company", "company-name": "company"}


def _names_type(grant: Grant, key_type: str) -> bool:
    return grant.own or _CATEGORY_OF.get(key_type, key_type) in grant.categories


def _summary(
    proposal: Proposal,
    members: list[dict[str, Any]],
    link_points: list[float],
    weights: Mapping[str, float],
) -> dict[str, Any]:
    facts = [_facts(m) for m in members]
    parts = score(facts, link_points, indicator_weights=weights, now=now())
    return {
        "id": proposal.id,
        "status": proposal.status,
        "score": parts.pop("score"),
        "score_parts": parts,
        "barriers": sorted(frozenset().union(*(f.barriers for f in facts))),
        "agencies": sorted({f.agency for f in facts}),
        "size": len(members),
        "created_at": proposal.created_at,
        "updated_at": proposal.updated_at,
        "closed_reason": proposal.closed_reason,
    }


def _link_points(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[tuple]]:
    found: dict[uuid.UUID, list[tuple]] = defaultdict(list)
    for proposal_id, a, b, points in session.execute(
        select(
            ProposalLink.proposal_id,
            ProposalLink.signal_a,
            ProposalLink.signal_b,
            ProposalLink.points,
        ).where(ProposalLink.proposal_id.in_(ids))
    ):
        found[proposal_id].append((a, b, points))
    return found


def read_page(
    session: Session,
    keys: DataKeys,
    caller: Caller,
    *,
    purpose: str | None,
    status: str | None,
    after: int | None,
    limit: int,
    covenants: tuple[Covenant, ...],
    agencies: AgencyDirectory,
    weights: Mapping[str, float],
) -> tuple[list[dict[str, Any]], int | None]:
    """A page of the proposals the viewer may see (two or more members), oldest first."""
    clause = _clause(session, caller, purpose, covenants=covenants, agencies=agencies)
    query = select(Proposal).where(_seen_by(clause) >= 2)
    if status is not None:
        query = query.where(Proposal.status == status)
    if after is not None:
        query = query.where(Proposal.pk > after)
    rows = list(session.scalars(query.order_by(Proposal.pk).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    views = _views(
        session, keys, caller, rows, purpose=purpose, covenants=covenants, agencies=agencies
    )
    points = _link_points(session, [p.id for p in rows])
    out = []
    for proposal in rows:
        members, grants = views.get(proposal.id, ([], {}))
        if len(members) < 2:  # the SQL and the policy disagree: the stricter answer wins
            continue
        seen = [w for a, b, w in points[proposal.id] if a in grants and b in grants]
        out.append(_summary(proposal, members, seen, weights))
    return out, (rows[-1].pk if more else None)


def read_one(
    session: Session,
    keys: DataKeys,
    caller: Caller,
    proposal_id: uuid.UUID,
    *,
    purpose: str | None,
    covenants: tuple[Covenant, ...],
    agencies: AgencyDirectory,
    weights: Mapping[str, float],
) -> dict[str, Any]:
    """One proposal with its members (redacted), score parts and explanation; 404 when the
    viewer may see fewer than two of its members."""
    proposal = session.scalars(select(Proposal).where(Proposal.id == proposal_id)).one_or_none()
    if proposal is not None:
        views = _views(
            session,
            keys,
            caller,
            [proposal],
            purpose=purpose,
            covenants=covenants,
            agencies=agencies,
        )
        members, grants = views.get(proposal.id, ([], {}))
        if len(members) >= 2:
            explanation = _explanation(session, keys, caller, proposal.id, grants)
            summary = _summary(proposal, members, [e["points"] for e in explanation], weights)
            return summary | {"members": members, "explanation": explanation}
    raise NotFound(f"There is no proposal {proposal_id} that you may see for this purpose.")
