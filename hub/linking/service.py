"""Linking signals into case proposals: incrementally as signals arrive, or all over again.

Both paths run the same steps on a neighbourhood: find the pairs, weigh them, cluster, match the
clusters to the proposals they continue (by overlap, so ids stay stable) and store what changed.
`relink` walks the hub one neighbourhood at a time, so it gives the same proposals, with the
same ids, as the incremental path did on the same signals.
"""

import math
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import (
    String,
    cast,
    delete,
    func,
    literal,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased

from hub.agencies.models import Agency
from hub.db import UTCDateTime, now
from hub.kit.bulk import insert_rows, insert_unless_exists
from hub.kit.crypto import DataKeys
from hub.kit.listparam import one_of, values_of
from hub.ldv import collect as ldv
from hub.linking import graph, rules, ruleset
from hub.linking.clusters import JOINED_WEIGHT, Cluster, LinkSettings, assign_ids, clusters
from hub.linking.models import (
    OPEN_STATUSES,
    LinkingLock,
    LinkJoin,
    LinkSeparation,
    Proposal,
    ProposalEvent,
    ProposalLink,
    ProposalMember,
)
from hub.linking.score import MemberFacts, score
from hub.signals.models import Signal, SignalBarrier, SignalIndicator
from hub.subjects.models import SignalRestriction

# Proposals the linker keeps up to date (closed and merged ones are history).
LIVE = (*OPEN_STATUSES, "accepted", "rejected")
ACTOR = "linker"
# A step may read `neighbourhood_limit` signals for every this many it links (step_limit).
SEEDS_PER_LIMIT = 500


@dataclass(frozen=True)
class Linker:
    """Links signals as they are posted, corrected or retracted (the API's side of linking)."""

    weights: Mapping[str, float]
    # Without keys no person is compared fuzzily (only exact match keys link).
    keys: DataKeys | None = None
    settings: LinkSettings = field(default_factory=LinkSettings)

    def fellow_members(self, session: Session, signal_ids: set[uuid.UUID]) -> set[uuid.UUID]:
        """Every member of the live proposals these signals are in."""
        return set().union(*_live_members(session, signal_ids).values())

    def relink(
        self, session: Session, *, progress: Callable[[int], None] | None = None
    ) -> "LinkResult":
        """Rebuild every proposal with this linker's weights, keys and settings."""
        return relink(
            session, weights=self.weights, keys=self.keys, settings=self.settings, progress=progress
        )

    def __call__(
        self,
        session: Session,
        signal_ids: Iterable[uuid.UUID],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> "LinkResult":
        ids = list(signal_ids)
        if not ids:
            return LinkResult()
        return link_signals(
            session,
            ids,
            weights=self.weights,
            keys=self.keys,
            settings=self.settings,
            progress=progress,
        )


@dataclass
class LinkResult:
    created: int = 0
    changed: int = 0
    closed: int = 0
    nodes: int = 0  # signals that link to another one
    considered: int = 0  # active signals a relink read (linked or not)


def lock(session: Session) -> None:
    """Serialise linking: one transaction at a time rewrites proposals."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(LinkingLock.id).where(LinkingLock.id == 1).with_for_update())
    else:
        # SQLite has one writer; a write first takes that lock now (waiting for it), so the
        # reads that follow see the data no other linker can change before this one commits.
        session.execute(update(LinkingLock).where(LinkingLock.id == 1).values(id=1))


def link_signals(
    session: Session,
    signal_ids: Iterable[uuid.UUID],
    *,
    weights: Mapping[str, float],
    keys: DataKeys | None = None,
    settings: LinkSettings = LinkSettings(),
    progress: Callable[[int], None] | None = None,
) -> LinkResult:
    """Re-link the neighbourhood of these signals (new, corrected or retracted) and store it.
    `progress` is called with the signals read after each round of the neighbourhood's read."""
    lock(session)
    seeds = set(signal_ids)
    settings = replace(settings, neighbourhood_limit=step_limit(settings, len(seeds)))
    # Members of the proposals these signals are in: a retracted or changed signal may leave a
    # cluster behind that must be re-cut, even where it no longer links to the seed.
    known = _live_members(session, seeds)
    seeds |= set().union(*known.values())
    hood = graph.neighbourhood(
        session, seeds, limit=settings.neighbourhood_limit, data_keys=keys, progress=progress
    )
    _leave_out_restricted(session, hood)
    # A signal is in one live proposal at most, so only the signals outside those just read
    # can bring other proposals in (a new signal on its own brings none: no second query).
    rest = hood.nodes - seeds
    old = known | (_live_members(session, rest) if rest else {})
    # An analyst's merge holds signals that share nothing: read the proposal whole, growing the
    # neighbourhood by what it lacks (read anew, a backlog's neighbourhood was read twice).
    missing = set().union(*old.values()) - hood.nodes if old else set()
    if missing:
        seeds |= missing
        gained = graph.grow(
            session,
            hood,
            missing,
            limit=settings.neighbourhood_limit,
            data_keys=keys,
            progress=progress,
        )
        _leave_out_restricted(session, hood, gained)
        # What the proposal's members reach may be in live proposals of its own.
        if gained - seeds:
            old |= _live_members(session, gained - seeds)
    return _apply(
        session,
        hood.nodes,
        _links(graph.pairs(hood)),
        seeds=seeds,
        weights=weights,
        settings=settings,
        old=old,
    )


def step_limit(settings: LinkSettings, signals: int) -> int:
    """The most signals a step linking this many may read: `neighbourhood_limit` for every
    SEEDS_PER_LIMIT of them, so a backlog linked in one step is bounded as its batches were."""
    return settings.neighbourhood_limit * max(1, math.ceil(signals / SEEDS_PER_LIMIT))


def relink(
    session: Session,
    *,
    weights: Mapping[str, float],
    keys: DataKeys | None = None,
    settings: LinkSettings = LinkSettings(),
    progress: Callable[[int], None] | None = None,
) -> LinkResult:
    """Rebuild every proposal from the signals; ids stay stable.

    The whole graph's pairs are read in one pass over the blind-index tokens; the clustering
    and the proposals are then worked through one connected piece at a time, so each networkx
    graph stays small and the result equals what incremental linking gives."""
    lock(session)
    whole = graph.whole(session, data_keys=keys)
    _leave_out_restricted(session, whole)
    links = _links(graph.pairs(whole))
    _add_joins(links, session.execute(select(LinkJoin.signal_a, LinkJoin.signal_b)).all())
    pieces = graph.components(links)
    piece_of = {node: i for i, piece in enumerate(pieces) for node in piece}
    links_of: dict[int, Links] = {}
    for pair, value in links.items():
        links_of.setdefault(piece_of[pair[0]], {})[pair] = value
    considered = session.scalar(
        select(func.count()).select_from(Signal).where(Signal.status == "active")
    )
    total = LinkResult(nodes=len(piece_of), considered=considered or 0)
    # The live proposals as they were, read once: querying them per group slows down as the
    # proposals written earlier in this transaction pile up. A proposal is handled by the
    # first group holding one of its members; after that its members all lie in that group
    # (or it is closed), exactly what a query in a later group would have found.
    before = _live_members(session)
    proposals_of: dict[uuid.UUID, list[uuid.UUID]] = {}
    for proposal_id, members in before.items():
        for member in members:
            proposals_of.setdefault(member, []).append(proposal_id)
    handled: set[uuid.UUID] = set()
    done = 0
    # Pieces are worked in groups, so the queries per group are few and the groups small.
    for group in graph.groups(range(len(pieces)), pieces, size=settings.neighbourhood_limit):
        nodes = set().union(*(pieces[i] for i in group))
        group_links = {pair: v for i in group for pair, v in links_of[i].items()}
        old = {
            proposal_id: before[proposal_id]
            for node in nodes
            for proposal_id in proposals_of.get(node, ())
            if proposal_id not in handled
        }
        handled |= old.keys()
        result = _apply(
            session, nodes, group_links, seeds=set(), weights=weights, settings=settings, old=old
        )
        total.created += result.created
        total.changed += result.changed
        total.closed += result.closed
        done += len(nodes)
        if progress is not None:
            progress(done)
    # Proposals none of whose members links to anything any more were in no group.
    for proposal_id in sorted(before.keys() - handled, key=str):
        proposal = session.scalars(select(Proposal).where(Proposal.id == proposal_id)).one()
        _close(session, proposal, "its signals no longer link to each other", ruleset.current())
        total.closed += 1
    session.execute(update(LinkingLock).where(LinkingLock.id == 1).values(relinked_at=now()))
    return total


Links = dict[tuple[uuid.UUID, uuid.UUID], tuple[float, list[rules.Evidence]]]


def _leave_out_restricted(
    session: Session, hood: graph.Neighbourhood, among: set[uuid.UUID] | None = None
) -> None:
    """A signal whose processing is restricted links to nothing: without it among the nodes
    no pair holds it, so it leaves the proposals it was in (its values still count towards
    their caps, which can only link less). `among`: the nodes to check, when not all."""
    nodes = hood.nodes if among is None else among & hood.nodes
    if not nodes:
        return
    restricted: set[uuid.UUID] = set()
    for chunk in graph.chunks(nodes):
        restricted.update(session.scalars(_RESTRICTED_OF, {"ids": chunk}))
    hood.nodes -= restricted


# Built once, with the ids as one parameter: an expanding IN of 500 ids was new SQL to render
# and parse for every chunk of every step.
_RESTRICTED_OF = select(SignalRestriction.signal_id).where(one_of(SignalRestriction.signal_id))


def _links(shared: Mapping[tuple[uuid.UUID, uuid.UUID], list[rules.Evidence]]) -> Links:
    """The pairs whose evidence reaches the threshold, with their points and evidence."""
    links: Links = {}
    for pair, evidence in shared.items():
        points, counted = rules.pair_weight(evidence)
        if points >= rules.LINK_THRESHOLD:
            links[pair] = (points, counted)
    return links


def _apply(
    session: Session,
    nodes: set[uuid.UUID],
    links: Links,
    *,
    seeds: set[uuid.UUID],
    weights: Mapping[str, float],
    settings: LinkSettings,
    old: Mapping[uuid.UUID, frozenset[uuid.UUID]] | None = None,
) -> LinkResult:
    """Cluster `nodes` by `links` (every link among them), and bring the proposals that touch
    them (or the seeds) in line: continue, create, close. `old`: those proposals with their
    members, when the caller knows them already."""
    apart, together = _constraints(session, nodes)
    _add_joins(links, together)
    found = clusters(
        nodes,
        ((a, b, w) for (a, b), (w, _) in links.items()),
        max_size=settings.max_cluster,
        apart=apart,
        together=together,
    )
    facts = _facts(session, set().union(*(c.members for c in found)) if found else set())
    qualifying = [c for c in found if _qualifies(c, facts, settings)]
    if old is None:
        old = _live_members(session, nodes | seeds)
    assignment = assign_ids(old, [c.members for c in qualifying])
    result = LinkResult(nodes=len(nodes))
    at = now()
    # Looked up per step (not imported as a value), so every row this step writes names it.
    made_by = ruleset.current()
    home = {m: i for i, c in enumerate(qualifying) for m in c.members}
    links_of: dict[int, Links] = {}
    for pair, value in links.items():
        i = home.get(pair[0])
        if i is not None and home.get(pair[1]) == i:
            links_of.setdefault(i, {})[pair] = value
    fresh = _Writes()
    # Linking is not audited; its processing-log record names the signals it compared anew
    # (the seeds) and those of every proposal it made, changed or closed.
    touched = set(seeds)
    proposals, stored = _stored(
        session, [c for c in assignment.continues if c is not None], assignment.ended
    )
    for index, (cluster, continues) in enumerate(
        zip(qualifying, assignment.continues, strict=True)
    ):
        cluster_links = links_of.get(index, {})
        parts = score(
            (facts[m] for m in cluster.members),
            (w for w, _ in cluster_links.values()),
            indicator_weights=weights,
            now=at,
        )
        if continues is None:
            fresh.add(cluster, cluster_links, parts, facts, at, made_by)
            result.created += 1
            touched |= cluster.members
        else:
            if _update(
                session,
                proposals[continues],
                stored[continues],
                old[continues],
                cluster,
                cluster_links,
                parts,
                facts,
                at,
                made_by,
                fresh,
            ):
                result.changed += 1
                touched |= cluster.members
    fresh.write(session)
    for proposal_id in assignment.ended:
        why = _why_ended(old[proposal_id], qualifying, facts, settings)
        _close(session, proposals[proposal_id], why, made_by)
        result.closed += 1
        touched |= old[proposal_id]
    if touched:
        ldv.processed(session, "linking.linked", signal_ids=touched, purpose="case-proposal")
    return result


def _qualifies(cluster: Cluster, facts: Mapping[uuid.UUID, MemberFacts], s: LinkSettings) -> bool:
    members = [facts[m] for m in cluster.members]
    agencies = {m.agency for m in members}
    barriers = frozenset().union(*(m.barriers for m in members))
    return len(agencies) >= s.min_agencies or len(barriers) >= s.min_barriers


def _why_ended(
    before: frozenset[uuid.UUID],
    qualifying: list[Cluster],
    facts: Mapping[uuid.UUID, MemberFacts],
    settings: LinkSettings,
) -> str:
    if not any(m in facts for m in before):
        return "its signals no longer link to each other"
    if any(before & c.members for c in qualifying):
        return "most of its signals now belong to another proposal"
    return (
        f"it no longer spans {settings.min_agencies} agencies or {settings.min_barriers} barriers"
    )


Pairs = list[tuple[uuid.UUID, uuid.UUID]]


# Statements the incremental path runs on every post, built once (building them cost more
# than running them); the signal ids go in an expanding parameter.
_CONSTRAINTS = union_all(
    select(literal(0), LinkSeparation.signal_a, LinkSeparation.signal_b).where(
        one_of(LinkSeparation.signal_a)
    ),
    select(literal(1), LinkJoin.signal_a, LinkJoin.signal_b).where(one_of(LinkJoin.signal_a)),
)
_LIVE = (
    select(ProposalMember.proposal_id, ProposalMember.signal_id)
    .join(Proposal, Proposal.id == ProposalMember.proposal_id)
    .where(Proposal.status.in_(LIVE))
)
_MINE = aliased(ProposalMember)
_LIVE_OF = _LIVE.join(_MINE, _MINE.proposal_id == ProposalMember.proposal_id).where(
    one_of(_MINE.signal_id)
)


def _constraints(session: Session, nodes: set[uuid.UUID]) -> tuple[Pairs, Pairs]:
    """The analysts' word on these signals, in one read: pairs kept apart, pairs merged."""
    apart: Pairs = []
    together: Pairs = []
    for chunk in graph.chunks(nodes):
        for kind, a, b in session.execute(_CONSTRAINTS, {"ids": chunk}):
            if b in nodes:
                (together if kind else apart).append((a, b))
    return apart, together


def _add_joins(links: "Links", joins: Iterable[tuple[uuid.UUID, uuid.UUID]]) -> None:
    """An analyst's merge is a link of its own (shown as such), unless the pair shares more."""
    for a, b in joins:
        if (a, b) not in links:
            links[(a, b)] = (JOINED_WEIGHT, [rules.Evidence("merge", "", JOINED_WEIGHT)])


def separate(
    session: Session, linker: Linker, a: uuid.UUID, b: uuid.UUID, *, reason: str, by: str
) -> LinkResult:
    """Record that two signals do not belong together, and re-link them at once."""
    first, second = sorted((a, b))
    row = {
        "signal_a": first,
        "signal_b": second,
        "reason": reason,
        "created_at": now(),
        "created_by": by,
    }
    insert_unless_exists(session, LinkSeparation, row, unique=("signal_a", "signal_b"))
    return linker(session, [first, second])


def _live_members(
    session: Session, signal_ids: set[uuid.UUID] | None = None
) -> dict[uuid.UUID, frozenset[uuid.UUID]]:
    """The live proposals any of these signals is in (every live one when None), with all
    their members."""
    if signal_ids is None:
        queries = [(_LIVE, {})]
    else:
        queries = [(_LIVE_OF, {"ids": chunk}) for chunk in graph.chunks(signal_ids)]
    members: dict[uuid.UUID, set[uuid.UUID]] = {}
    for query, params in queries:
        for proposal_id, signal_id in session.execute(query, params):
            members.setdefault(proposal_id, set()).add(signal_id)
    return {proposal_id: frozenset(m) for proposal_id, m in members.items()}


# What scoring needs of each member, in one read: a row per barrier, per indicator, and one
# with the signal's agency, grading and date (typed nulls, so the union's parts agree).
_FACTS = union_all(
    select(
        SignalBarrier.signal_id,
        literal("b"),
        SignalBarrier.barrier,
        cast(null(), String),
        cast(null(), String),
        cast(null(), UTCDateTime()),
    ).where(one_of(SignalBarrier.signal_id)),
    select(
        SignalIndicator.signal_id,
        literal("i"),
        SignalIndicator.code,
        cast(null(), String),
        cast(null(), String),
        cast(null(), UTCDateTime()),
    ).where(one_of(SignalIndicator.signal_id)),
    select(
        Signal.id,
        literal("s"),
        Agency.code,
        Signal.reliability,
        Signal.credibility,
        Signal.observed_at,
    )
    .join(Agency, Agency.id == Signal.agency_id)
    .where(one_of(Signal.id)),
)


def _facts(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, MemberFacts]:
    """What scoring needs of each member: agency, barriers, indicators, grading, date."""
    barriers: dict[uuid.UUID, set[str]] = {i: set() for i in ids}
    indicators: dict[uuid.UUID, set[str]] = {i: set() for i in ids}
    rows: dict[uuid.UUID, tuple[str, str | None, str | None, datetime]] = {}
    for chunk in graph.chunks(ids):
        for signal_id, kind, code, reliability, credibility, observed in session.execute(
            _FACTS, {"ids": chunk}
        ):
            if kind == "b":
                barriers[signal_id].add(code)
            elif kind == "i":
                indicators[signal_id].add(code)
            else:
                rows[signal_id] = (code, reliability, credibility, observed)
    return {
        i: MemberFacts(
            agency=rows[i][0],
            barriers=frozenset(barriers[i]),
            indicators=frozenset(indicators[i]),
            reliability=rows[i][1],
            credibility=rows[i][2],
            observed_at=rows[i][3],
        )
        for i in ids
        if i in rows
    }


def _summary(cluster: Cluster, facts: Mapping[uuid.UUID, MemberFacts]) -> dict[str, object]:
    members = [facts[m] for m in cluster.members]
    return {
        "barriers": sorted(frozenset().union(*(m.barriers for m in members))),
        "agencies": sorted({m.agency for m in members}),
        "size": len(members),
    }


def _link_rows(
    proposal_id: uuid.UUID,
    cluster: Cluster,
    links: Mapping[tuple[uuid.UUID, uuid.UUID], tuple[float, list[rules.Evidence]]],
    made_by: ruleset.RulesetId,
) -> list[dict[str, object]]:
    bridges = {tuple(sorted(pair, key=str)) for pair in cluster.bridges}
    return [
        {
            "proposal_id": proposal_id,
            "signal_a": a,
            "signal_b": b,
            "points": points,
            "evidence": [[e.key_type, e.token, round(e.points, 3)] for e in evidence],
            "bridge": tuple(sorted((a, b), key=str)) in bridges,
            "ruleset_version": made_by.version,
            "ruleset_hash": made_by.hash,
        }
        for (a, b), (points, evidence) in sorted(links.items(), key=lambda kv: str(kv[0]))
    ]


@dataclass
class _Writes:
    """The proposals a step makes or rewrites, written together: two deletes and four bulk
    inserts, not five statements per proposal (a step rewrites a few hundred)."""

    proposals: list[dict[str, object]] = field(default_factory=list)
    members: list[dict[str, object]] = field(default_factory=list)
    links: list[dict[str, object]] = field(default_factory=list)
    events: list[dict[str, object]] = field(default_factory=list)
    # Stored proposals whose members, or links, the rows above replace.
    new_members_of: list[uuid.UUID] = field(default_factory=list)
    new_links_of: list[uuid.UUID] = field(default_factory=list)

    def replace_members(self, proposal_id: uuid.UUID, members: Iterable[uuid.UUID]) -> None:
        self.new_members_of.append(proposal_id)
        self._add_members(proposal_id, members)

    def _add_members(self, proposal_id: uuid.UUID, members: Iterable[uuid.UUID]) -> None:
        self.members += [
            {"proposal_id": proposal_id, "signal_id": m} for m in sorted(members, key=str)
        ]

    def replace_links(self, proposal_id: uuid.UUID, rows: list[dict[str, object]]) -> None:
        self.new_links_of.append(proposal_id)
        self.links += rows

    def event(
        self, proposal_id: uuid.UUID, action: str, detail: dict[str, object], at: datetime
    ) -> None:
        row = {"proposal_id": proposal_id, "at": at, "action": action, "actor": ACTOR}
        self.events.append(row | {"detail": detail})

    def add(
        self,
        cluster: Cluster,
        links: Links,
        parts: dict[str, float],
        facts: Mapping[uuid.UUID, MemberFacts],
        at: datetime,
        made_by: ruleset.RulesetId,
    ) -> None:
        proposal_id = uuid.uuid4()
        self.proposals.append(
            {
                "id": proposal_id,
                "status": "new",
                "score": parts["score"],
                "score_parts": parts,
                "created_at": at,
                "updated_at": at,
                "closed_reason": None,
                "version": 1,
                "ruleset_version": made_by.version,
                "ruleset_hash": made_by.hash,
                **_summary(cluster, facts),
            }
        )
        self._add_members(proposal_id, cluster.members)
        self.links += _link_rows(proposal_id, cluster, links, made_by)
        detail = {"size": len(cluster.members), "ruleset": made_by.as_dict()}
        self.event(proposal_id, "created", detail, at)

    def write(self, session: Session) -> None:
        for model, replaced in (
            (ProposalMember, self.new_members_of),
            (ProposalLink, self.new_links_of),
        ):
            column = model.__table__.c.proposal_id
            for chunk in graph.chunks(replaced):
                session.execute(delete(model).where(values_of(session, column, chunk)))
        for model, rows in (
            (Proposal, self.proposals),
            (ProposalMember, self.members),
            (ProposalLink, self.links),
            (ProposalEvent, self.events),
        ):
            insert_rows(session, model, rows)


_STORED_LINKS = select(
    ProposalLink.proposal_id,
    ProposalLink.signal_a,
    ProposalLink.signal_b,
    ProposalLink.points,
    ProposalLink.evidence,
    ProposalLink.bridge,
    ProposalLink.ruleset_version,
    ProposalLink.ruleset_hash,
).where(one_of(ProposalLink.proposal_id))


def _stored(
    session: Session, continuing: list[uuid.UUID], ending: list[uuid.UUID]
) -> tuple[dict[uuid.UUID, Proposal], dict[uuid.UUID, list[dict[str, object]]]]:
    """The proposals a step continues or ends, and the stored links of those it continues:
    a few queries per step rather than two per proposal (a nightly relink continues them all)."""
    proposals: dict[uuid.UUID, Proposal] = {}
    for chunk in graph.chunks([*continuing, *ending]):
        proposals.update(
            (p.id, p)
            for p in session.scalars(select(Proposal).where(values_of(session, Proposal.id, chunk)))
        )
    links: dict[uuid.UUID, list[dict[str, object]]] = {i: [] for i in continuing}
    for chunk in graph.chunks(continuing):
        # Columns, not mapped objects: a nightly relink reads every stored link once.
        for row in session.execute(_STORED_LINKS, {"ids": chunk}).mappings():
            links[row["proposal_id"]].append(dict(row))
    return proposals, links


def _update(
    session: Session,
    proposal: Proposal,
    stored: list[dict[str, object]],
    before: frozenset[uuid.UUID],
    cluster: Cluster,
    links: Mapping[tuple[uuid.UUID, uuid.UUID], tuple[float, list[rules.Evidence]]],
    parts: dict[str, float],
    facts: Mapping[uuid.UUID, MemberFacts],
    at: datetime,
    made_by: ruleset.RulesetId,
    writes: "_Writes",
) -> bool:
    """Bring a proposal up to date, its rows to `writes`; True if its membership or links
    changed, or the rules that made them (a proposal always names the rules that made what it
    holds now)."""
    proposal_id = proposal.id
    rows = _link_rows(proposal_id, cluster, links, made_by)
    key = lambda row: (str(row["signal_a"]), str(row["signal_b"]))  # noqa: E731
    same_links = sorted(stored, key=key) == sorted(rows, key=key)
    joined, left = cluster.members - before, before - cluster.members
    proposal.score, proposal.score_parts = parts["score"], parts
    same_rules = (proposal.ruleset_version, proposal.ruleset_hash) == (
        made_by.version,
        made_by.hash,
    )
    if not joined and not left and same_links and same_rules:
        return False
    proposal.ruleset_version, proposal.ruleset_hash = made_by.version, made_by.hash
    for name, value in _summary(cluster, facts).items():
        setattr(proposal, name, value)
    proposal.updated_at = at
    proposal.version += 1
    if joined or left:
        writes.replace_members(proposal_id, cluster.members)
    writes.replace_links(proposal_id, rows)
    detail = {"joined": len(joined), "left": len(left), "ruleset": made_by.as_dict()}
    if proposal.status == "rejected" and joined:
        # Rejected stays rejected, unless new signals joined: then it is worth another look.
        proposal.status = "new"
        writes.event(proposal_id, "reopened", detail, at)
    else:
        writes.event(proposal_id, "changed", detail, at)
    return True


def _close(session: Session, proposal: Proposal, reason: str, made_by: ruleset.RulesetId) -> None:
    at = now()
    proposal.status = "closed"
    proposal.closed_reason = reason
    proposal.updated_at = at
    proposal.version += 1
    _event(session, proposal.id, "closed", {"reason": reason, "ruleset": made_by.as_dict()}, at)


def _event(
    session: Session,
    proposal_id: uuid.UUID,
    action: str,
    detail: dict[str, object],
    at: datetime,
) -> None:
    session.add(
        ProposalEvent(proposal_id=proposal_id, at=at, action=action, actor=ACTOR, detail=detail)
    )
