"""From linked pairs to clusters, and from clusters to stable proposal ids (pure, networkx).

Graph work happens per bounded piece: the caller hands in the pairs of one neighbourhood, never
the whole hub. Connected components are the clusters; a component larger than `max_size`, or a
loose one (many signals held together by barely more links than a chain needs), is cut with
Louvain community detection along its weakest links (seeded, so the cut is reproducible), and
the links that held it together are flagged as bridges for the analyst.
"""

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

SEED = 20261125
# A component of this many signals whose mean degree is below LOOSE_DEGREE is a chain of single
# coincidences (A shares a phone with B, B an address with C, ...) rather than a case: planted
# cases and real ones share several values around a core, so they are denser than that.
LOOSE_FROM = 12
LOOSE_DEGREE = 2.5
# The weight of an analyst's merge between two signals that share nothing: a strong link.
JOINED_WEIGHT = 12.0


@dataclass(frozen=True)
class LinkSettings:
    """The knobs, with the defaults the README documents (the published rule set,
    hub.linking.ruleset, describes the defaults)."""

    max_cluster: int = 40  # larger components are cut along their weakest links
    neighbourhood_limit: int = 5000  # the most signals one linking step reads
    min_agencies: int = 2  # a proposal spans this many agencies ...
    min_barriers: int = 2  # ... or this many barriers


@dataclass(frozen=True)
class Cluster:
    members: frozenset[Any]
    # Links that joined this cluster to another part of an oversized component before the cut.
    bridges: tuple[tuple[Any, Any], ...] = ()


def clusters(
    nodes: Iterable[Hashable],
    edges: Iterable[tuple[Any, Any, float]],
    *,
    max_size: int,
    apart: Iterable[tuple[Any, Any]] = (),
    together: Iterable[tuple[Any, Any]] = (),
) -> list[Cluster]:
    """Clusters of two or more nodes, in a stable order (by their smallest member).

    `apart` are pairs an analyst said do not belong together: the links between them are cut
    where it costs least (a minimum weighted cut), so no cluster ever holds both. `together`
    are pairs an analyst merged: they are never cut, whatever a cluster's size."""
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    for a, b, weight in edges:
        graph.add_edge(a, b, weight=weight, capacity=weight)
    joined = [(a, b) for a, b in together if a in graph and b in graph]
    for a, b in joined:
        # No capacity: networkx's minimum cut treats the edge as uncuttable.
        graph.add_edge(a, b, weight=graph.get_edge_data(a, b, {}).get("weight", JOINED_WEIGHT))
        graph.edges[a, b].pop("capacity", None)
    cut = _keep_apart(graph, [(a, b) for a, b in apart if a in graph and b in graph])
    found: list[Cluster] = []
    for component in nx.connected_components(graph):
        if len(component) < 2:
            continue
        if len(component) <= max_size and not _loose(graph.subgraph(component)):
            touching = tuple(sorted(e for e in cut if e[0] in component or e[1] in component))
            found.append(Cluster(frozenset(component), touching))
            continue
        found += _rejoin(_split(graph.subgraph(component), max_size=max_size), joined)
    return sorted(found, key=lambda c: min(map(str, c.members)))


def _rejoin(found: list[Cluster], joined: list[tuple[Any, Any]]) -> list[Cluster]:
    """Put back together the clusters a cut separated across an analyst's merge."""
    if not joined:
        return found
    home = {m: i for i, c in enumerate(found) for m in c.members}
    merged = nx.Graph()
    merged.add_nodes_from(range(len(found)))
    merged.add_edges_from((home[a], home[b]) for a, b in joined if a in home and b in home)
    out = []
    for part in nx.connected_components(merged):
        members = frozenset().union(*(found[i].members for i in part))
        bridges = {e for i in part for e in found[i].bridges}
        inner = {e for e in bridges if e[0] in members and e[1] in members}
        out.append(Cluster(members, tuple(sorted(bridges - inner, key=str))))
    return out


def _keep_apart(graph: nx.Graph, apart: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Remove the cheapest set of links separating each pair kept apart; the links removed."""
    removed: list[tuple[Any, Any]] = []
    for a, b in sorted(apart, key=lambda pair: (str(pair[0]), str(pair[1]))):
        if not nx.has_path(graph, a, b):
            continue
        try:
            _, (side, _) = nx.minimum_cut(graph, a, b, capacity="capacity")
        except nx.NetworkXUnbounded:
            continue  # merged by an analyst since: the review service lifts one of the two

        for u, v in list(nx.edge_boundary(graph, side)):
            graph.remove_edge(u, v)
            removed.append((u, v) if str(u) <= str(v) else (v, u))
    return removed


def _loose(component: nx.Graph) -> bool:
    nodes = component.number_of_nodes()
    return nodes >= LOOSE_FROM and 2 * component.number_of_edges() / nodes < LOOSE_DEGREE


def _split(component: nx.Graph, *, max_size: int) -> list[Cluster]:
    """Cut an oversized or loose component into communities; cut again any still too big."""
    communities = nx.community.louvain_communities(_integral(component), weight="weight", seed=SEED)
    if len(communities) == 1 and len(component) <= max_size:
        return [Cluster(frozenset(component))]  # loose, but with no weaker seam to cut along
    if len(communities) == 1:
        # Louvain found no structure: drop the weakest links until it falls apart.
        return _shed_weakest(component, max_size=max_size)
    home = {node: i for i, community in enumerate(communities) for node in community}
    cut = [(a, b) for a, b in component.edges if home[a] != home[b]]
    out: list[Cluster] = []
    for community in communities:
        if len(community) < 2:
            continue
        sub = component.subgraph(community)
        bridges = tuple(sorted((a, b) for a, b in cut if a in community or b in community))
        if len(community) > max_size:
            out += _split(sub, max_size=max_size)
        else:
            for part in nx.connected_components(sub):
                if len(part) >= 2:
                    touching = tuple(e for e in bridges if e[0] in part or e[1] in part)
                    out.append(Cluster(frozenset(part), touching))
    return out


def _integral(component: nx.Graph) -> nx.Graph:
    """The component with its weights in thousandths, as integers: networkx 3.6's Louvain can
    loop for ever on float weights (networkx#8739), and scaling leaves modularity alone."""
    graph = nx.Graph()
    graph.add_nodes_from(component)
    graph.add_weighted_edges_from(
        (a, b, max(1, round(w * 1000))) for a, b, w in component.edges(data="weight")
    )
    return graph


def _shed_weakest(component: nx.Graph, *, max_size: int) -> list[Cluster]:
    graph = nx.Graph(component)
    edges = sorted(
        ((a, b, w) for a, b, w in graph.edges(data="weight") if "capacity" in graph.edges[a, b]),
        key=lambda e: (e[2], str(e[0]), str(e[1])),
    )
    shed: list[tuple[Any, Any]] = []
    for a, b, _ in edges:
        graph.remove_edge(a, b)
        shed.append((a, b))
        if max(len(c) for c in nx.connected_components(graph)) <= max_size:
            break
    return [
        Cluster(frozenset(part), tuple(e for e in shed if e[0] in part or e[1] in part))
        for part in nx.connected_components(graph)
        if len(part) >= 2
    ]


@dataclass
class Assignment:
    """Which existing proposal each new cluster continues (None: a new proposal), and which
    existing proposals no longer have a cluster."""

    continues: list[Any | None] = field(default_factory=list)
    ended: list[Any] = field(default_factory=list)


def assign_ids(old: Mapping[Any, frozenset[Any]], new: list[frozenset[Any]]) -> Assignment:
    """Match new clusters to existing proposals by overlap.

    A cluster keeps a proposal's id when it holds most (more than half) of that proposal's
    members; the largest overlaps are matched first, each proposal and cluster at most once,
    ties broken by id so the answer does not depend on the order things were found in.
    """
    # Overlaps counted through each member's proposals: comparing every cluster with every
    # proposal cost a relink of 1M signals half a minute (60 groups of ~1,500 by ~1,500).
    holders: dict[Any, list[Any]] = {}
    for proposal_id, before in old.items():
        for member in before:
            holders.setdefault(member, []).append(proposal_id)
    candidates = []
    for index, members in enumerate(new):
        overlaps = Counter(p for member in members for p in holders.get(member, ()))
        for proposal_id, overlap in overlaps.items():
            if overlap * 2 > len(old[proposal_id]):
                candidates.append((-overlap, str(proposal_id), index, proposal_id))
    assignment = Assignment(continues=[None] * len(new))
    taken: set[Any] = set()
    for _, _, index, proposal_id in sorted(candidates):
        if assignment.continues[index] is None and proposal_id not in taken:
            assignment.continues[index] = proposal_id
            taken.add(proposal_id)
    assignment.ended = sorted((p for p in old if p not in taken), key=str)
    return assignment
