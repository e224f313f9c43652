"""Proposals as one viewer may see them: the members it may see, redacted, audited.

A proposal is shown to a viewer only when it may see at least two of its members (at `hit` level
or more): a "cluster" of one is no cluster, and members it may not see are absent, never counted.
Everything derived (barriers, agencies, score, explanation) is derived from the members as the
viewer sees them, after the one policy decision point and the redactor.
"""

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, cast, func, select
from sqlalchemy.orm import Session

from hub.covenants.model import Level
from hub.covenants.policy import Grant
from hub.covenants.sql import visible_to
from hub.covenants.viewer import Viewer
from hub.db import now
from hub.errors import NotFound
from hub.kit import pagination
from hub.kit.crypto import DataKeys
from hub.kit.i18n import N_
from hub.linking.models import OPEN_STATUSES, Proposal, ProposalMember
from hub.linking.score import MemberFacts, score
from hub.proposals import explain, ranking
from hub.signals import repository
from hub.signals.models import Signal
from hub.signals.reads import disclose, grants_for, record_shown


def _views(
    session: Session,
    keys: DataKeys,
    viewer: Viewer,
    proposals: list[Proposal],
    *,
    bare: bool = False,
) -> dict[uuid.UUID, tuple[list[dict[str, Any]], dict[uuid.UUID, Grant]]]:
    """Per proposal: its members as the viewer sees them (redacted, audited) and their grants;
    `bare` for the queue, which shows facts about the members but no summary or subject."""
    ids = [p.id for p in proposals]
    rows = session.execute(
        select(ProposalMember.proposal_id, Signal, repository.HELD)
        .join(Signal, Signal.id == ProposalMember.signal_id)
        .where(ProposalMember.proposal_id.in_(ids))
        .order_by(Signal.pk)
    ).all()
    signals = list({s.id: s for _, s, _ in rows}.values())
    held = {s.id for _, s, is_held in rows if is_held}
    # Read once for the policy and the representation both (a bare one shows no subjects).
    parts = repository.parts_of(session, signals, subjects=not bare) if signals else None
    grants = dict(
        zip(
            (s.id for s in signals),
            grants_for(session, viewer, signals, parts=parts, held=held),
            strict=True,
        )
    )
    pairs = [(s, grants[s.id]) for s in signals if grants[s.id].level >= Level.HIT]
    shown = dict(
        zip(
            (s.id for s, _ in pairs),
            disclose(session, keys, viewer, pairs, parts, bare=bare),
            strict=True,
        )
    )
    views: dict[uuid.UUID, tuple[list[dict[str, Any]], dict[uuid.UUID, Grant]]] = defaultdict(
        lambda: ([], {})
    )
    for proposal_id, signal, _ in rows:
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


def _summary(
    proposal: Proposal,
    facts: list[MemberFacts],
    parts: Mapping[str, float],
    places: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The proposal's summary over the members shown; `places` (their municipalities, where
    shown) is for pages that name the proposal, not part of the API's summary."""
    parts = dict(parts)
    return {
        "id": proposal.id,
        "status": proposal.status,
        "score": parts.pop("score"),
        "score_parts": parts,
        "barriers": sorted(frozenset().union(*(f.barriers for f in facts))),
        "agencies": sorted({f.agency for f in facts}),
        "size": len(facts),
        "created_at": proposal.created_at,
        "updated_at": proposal.updated_at,
        "closed_reason": proposal.closed_reason,
        "assigned_to": proposal.assigned_to,
        "case_number": proposal.case_number,
        "decided_at": proposal.decided_at,
        "version": proposal.version,
        "places": list(places),
    }


@dataclass(frozen=True)
class QueueFilter:
    """What the queue is narrowed to; each is checked on what the viewer sees."""

    status: str | None = None  # one status, "open" (new or in review), or None: all but merged
    barrier: str | None = None
    agency: str | None = None
    region: str | None = None
    min_score: float | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


def _json_has(column: Any, value: str) -> ColumnElement[bool]:
    # A JSON list of codes stored as text: '"entry"' occurs in it exactly when "entry" does
    # (codes hold no quotes), on SQLite and PostgreSQL alike. A cheap first pass only: the
    # viewer's own view is checked after.
    return cast(column, String).like(f'%"{value}"%')


@dataclass(frozen=True)
class Position:
    """Where the next page starts: after this (score, pk), scored at time `at`."""

    score: float
    pk: int
    at: datetime


def read_page(
    session: Session,
    keys: DataKeys,
    viewer: Viewer,
    *,
    where: QueueFilter,
    after: Position | None,
    limit: int,
    weights: Mapping[str, float],
) -> tuple[list[dict[str, Any]], Position | None]:
    """A page of the proposals the viewer may see (two or more members), strongest first by
    the score over the members it sees; scores are taken at the first page's time, so the
    pages of one walk agree. Only the page's members are disclosed (and audited)."""
    at = after.at if after is not None else now()
    # Stored facts over all members narrow the proposals in SQL: each a superset of what the
    # viewer's own view lets through (checked exactly in _matches).
    if where.status == "open":
        proposals = Proposal.status.in_(OPEN_STATUSES)
    elif where.status is not None:
        proposals = Proposal.status == where.status
    else:
        proposals = Proposal.status != "merged"
    if where.barrier is not None:
        proposals &= _json_has(Proposal.barriers, where.barrier)
    if where.agency is not None:
        proposals &= _json_has(Proposal.agencies, where.agency)
    if where.created_from is not None:
        proposals &= Proposal.created_at >= where.created_from
    if where.created_to is not None:
        proposals &= Proposal.created_at < where.created_to
    seen = ranking.seen_by(session, viewer, proposals, weights=weights, at=at)
    ranked = sorted(
        ((view.score["score"], view.pk, view) for view in seen.values()),
        key=lambda r: (r[0], r[1]),
        reverse=True,
    )
    chosen = []
    for score_of, pk, view in ranked:
        if after is not None and (score_of, pk) >= (after.score, after.pk):
            continue
        if not _matches(view, where):
            continue
        chosen.append((score_of, pk, view))
        if len(chosen) > limit:
            break
    more = len(chosen) > limit
    chosen = chosen[:limit]
    rows = {
        p.id: p
        for p in session.scalars(
            select(Proposal).where(Proposal.id.in_([v.proposal_id for _, _, v in chosen]))
        )
    }
    _disclose_page(session, viewer, [v for _, _, v in chosen])
    out = [_summary(rows[v.proposal_id], v.facts, v.score, v.places) for _, _, v in chosen]
    last = Position(chosen[-1][0], chosen[-1][1], at) if more and chosen else None
    return out, last


def read_page_with_cursor(
    session: Session,
    keys: DataKeys,
    viewer: Viewer,
    *,
    where: QueueFilter,
    cursor: str | None,
    limit: int,
    weights: Mapping[str, float],
) -> tuple[list[dict[str, Any]], str | None]:
    """`read_page` behind an opaque cursor bound to this viewer, purpose and filter set: it
    carries the viewer's own score of the last row, never a score over hidden members."""
    bound = pagination.scope("proposals", agency=viewer.code, purpose=viewer.purpose, filters=where)
    decoded = pagination.decode_position(keys.cursor_key, bound, cursor)
    after = Position(*decoded) if decoded is not None else None
    items, last = read_page(
        session, keys, viewer, where=where, after=after, limit=limit, weights=weights
    )
    if last is None:
        return items, None
    return items, pagination.encode_position(keys.cursor_key, bound, last.score, last.pk, last.at)


def _matches(view: ranking.Seen, where: QueueFilter) -> bool:
    if where.barrier is not None and where.barrier not in view.barriers:
        return False
    if where.agency is not None and where.agency not in view.agencies:
        return False
    if where.region is not None and where.region not in view.regions:
        return False
    return where.min_score is None or view.score["score"] >= where.min_score


def _disclose_page(session: Session, viewer: Viewer, views: list[ranking.Seen]) -> None:
    """Record the page's members as shown (facts about them are): the audit trail's part.
    Nothing is redacted here: the page shows only the facts the ranking read to each grant."""
    members = {s.id: (s, g) for v in views for s, g in v.members}
    # In the order of their rows, each member once, as a read of the signals would list them.
    ordered = sorted(members.values(), key=lambda m: m[0].pk)
    record_shown(session, viewer, [(s.id, s.agency_id, g) for s, g in ordered])


def open_counts(
    session: Session, viewer: Viewer, *, weights: Mapping[str, float]
) -> dict[str, dict[str, int]]:
    """Open proposals the viewer may see, counted per barrier and per region of the members
    it may see (a proposal spanning two barriers counts once under each): the queue's view,
    so a region counts only members whose place the viewer's grant shows."""
    counts: dict[str, dict[str, int]] = {"barriers": {}, "regions": {}}
    open_ = Proposal.status.in_(OPEN_STATUSES)
    for view in ranking.seen_by(session, viewer, open_, weights=weights, at=now()).values():
        for barrier in view.barriers:
            counts["barriers"][barrier] = counts["barriers"].get(barrier, 0) + 1
        for region in view.regions:
            counts["regions"][region] = counts["regions"].get(region, 0) + 1
    return counts


def graph_payload(
    members: list[dict[str, Any]], explanation: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Nodes and edges for the graph view: the members, the shared values the viewer may
    see as pseudonyms (a node each), and direct links where it may see only the type."""
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for m in members:
        level = m["disclosure"]["level"]
        nodes.append(
            {
                "id": str(m["id"]),
                "kind": "signal",
                "agency": m["agency"],
                "barriers": list(m.get("barriers") or []),
                "level": level,
                "label": f"{m['agency']} · {', '.join(m.get('barriers') or []) or 'signal'}",
            }
        )
    values: dict[str, str] = {}
    for link in explanation:
        if link["kind"] == "analyst":
            event = f"event-{link['event']}"
            nodes.append(
                {
                    "id": event,
                    "kind": "event",
                    "event": link["event"],
                    "label": f"analyst's {link['action']} #{link['event']}",
                }
            )
            edges += [{"source": str(s), "target": event, "kind": "held"} for s in link["signals"]]
            continue
        a, b = (str(s) for s in link["signals"])
        direct = []
        for shared in link["shared"]:
            pseudonym = shared.get("pseudonym")
            if pseudonym is None:
                direct.append(shared["type"])
                continue
            values.setdefault(pseudonym, shared["type"])
            for end in (a, b):
                edge = {"source": end, "target": pseudonym, "kind": "carries"}
                if edge not in edges:
                    edges.append(edge)
        if direct:
            edges.append(
                {
                    "source": a,
                    "target": b,
                    "kind": "link",
                    "types": direct,
                    "points": link["points"],
                    "bridge": link["bridge"],
                }
            )
    nodes += [
        {"id": p, "kind": "identifier", "type": t, "label": f"{t} {p[:11]}"}
        for p, t in sorted(values.items())
    ]
    return {"nodes": nodes, "edges": edges}


def _shows_two(session: Session, viewer: Viewer, proposal_id: uuid.UUID) -> bool:
    """Whether the policy's SQL form lets the viewer see two members: one query, the same for
    a missing proposal and one the viewer may not see, so the two 404s look alike."""
    seen = session.scalar(
        select(func.count())
        .select_from(ProposalMember)
        .join(Signal, Signal.id == ProposalMember.signal_id)
        .where(ProposalMember.proposal_id == proposal_id, visible_to(viewer))
    )
    return (seen or 0) >= 2


def visible_grants(
    session: Session, viewer: Viewer, proposal_id: uuid.UUID
) -> dict[uuid.UUID, Grant]:
    """The members the viewer may see (at `hit` or more), with their grants, when it may see
    two (else none); nothing is disclosed, so nothing is audited."""
    if not _shows_two(session, viewer, proposal_id):
        return {}
    rows = session.execute(
        select(Signal, repository.HELD)
        .join(ProposalMember, ProposalMember.signal_id == Signal.id)
        .where(ProposalMember.proposal_id == proposal_id)
    ).all()
    signals, held = [s for s, _ in rows], {s.id for s, is_held in rows if is_held}
    grants = grants_for(session, viewer, signals, held=held)
    return {s.id: g for s, g in zip(signals, grants, strict=True) if g.level >= Level.HIT}


def visible_signals(session: Session, viewer: Viewer, ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these signals the viewer may see at all (nothing disclosed, nothing audited)."""
    if not ids:
        return set()
    rows = session.execute(select(Signal, repository.HELD).where(Signal.id.in_(sorted(ids)))).all()
    signals, held = [s for s, _ in rows], {s.id for s, is_held in rows if is_held}
    grants = grants_for(session, viewer, signals, held=held)
    return {s.id for s, g in zip(signals, grants, strict=True) if g.level >= Level.HIT}


def may_see(session: Session, viewer: Viewer, proposal_id: uuid.UUID) -> bool:
    """Whether the viewer may see two members of the proposal."""
    return len(visible_grants(session, viewer, proposal_id)) >= 2


def read_one(
    session: Session,
    keys: DataKeys,
    viewer: Viewer,
    proposal_id: uuid.UUID,
    *,
    weights: Mapping[str, float],
    bare: bool = False,
) -> dict[str, Any]:
    """One proposal with its members (redacted), score parts and explanation; 404 when the
    viewer may see fewer than two of its members. `bare`: members without summaries and
    subjects (nothing decrypted), for a page that loads them one by one when asked."""
    proposal = None
    if _shows_two(session, viewer, proposal_id):
        proposal = session.scalars(select(Proposal).where(Proposal.id == proposal_id)).one()
    if proposal is not None:
        views = _views(session, keys, viewer, [proposal], bare=bare)
        members, grants = views.get(proposal.id, ([], {}))
        if len(members) >= 2:
            explanation = explain.explanation(session, keys, viewer, proposal.id, grants)
            facts = [_facts(m) for m in members]
            # Scored as the queue scores it: over the links the linker kept among these members.
            points = sorted(e["points"] for e in explanation if e["kind"] == "link")
            parts = score(facts, points, indicator_weights=weights, now=now())
            places = tuple(m["municipality"] for m in members if m.get("municipality"))
            return _summary(proposal, facts, parts, places) | {
                "members": members,
                "explanation": explanation,
                "graph": graph_payload(members, explanation),
                "grants": grants,
                "ruleset": {"version": proposal.ruleset_version, "hash": proposal.ruleset_hash},
            }
    raise NotFound(
        N_("There is no proposal {id} that you may see for this purpose."),
        params={"id": proposal_id},
    )
