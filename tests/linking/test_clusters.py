"""Clustering and stable ids (pure): components, oversized ones cut, ids follow most members."""

import json
import signal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from hub.linking.clusters import assign_ids, clusters


def test_components_of_two_or_more_are_clusters() -> None:
    found = clusters("abcdef", [("a", "b", 5.0), ("b", "c", 5.0), ("d", "e", 9.0)], max_size=10)
    assert [c.members for c in found] == [frozenset("abc"), frozenset("de")]


def test_an_oversized_component_is_cut_along_its_weak_links() -> None:
    # Two tight groups of five joined by one weak link: never one cluster of ten.
    left = [(f"l{i}", f"l{j}", 9.0) for i in range(5) for j in range(i + 1, 5)]
    right = [(f"r{i}", f"r{j}", 9.0) for i in range(5) for j in range(i + 1, 5)]
    nodes = [f"l{i}" for i in range(5)] + [f"r{i}" for i in range(5)]
    found = clusters(nodes, [*left, *right, ("l0", "r0", 1.0)], max_size=6)
    assert sorted(sorted(c.members) for c in found) == [
        [f"l{i}" for i in range(5)],
        [f"r{i}" for i in range(5)],
    ]
    assert all(("l0", "r0") in c.bridges for c in found)


def test_a_chain_without_structure_still_ends_below_the_bound() -> None:
    chain = [(str(i), str(i + 1), float(1 + i % 3)) for i in range(30)]
    found = clusters([str(i) for i in range(31)], chain, max_size=8)
    assert found and max(len(c.members) for c in found) <= 8


def test_a_loose_chain_is_cut_even_below_the_size_bound() -> None:
    # Two groups of seven, each a chain of coincidences, one weak link between them.
    chain = [(f"a{i}", f"a{i + 1}", 6.0) for i in range(6)]
    chain += [(f"b{i}", f"b{i + 1}", 6.0) for i in range(6)] + [("a6", "b0", 4.5)]
    nodes = [f"a{i}" for i in range(7)] + [f"b{i}" for i in range(7)]
    found = clusters(nodes, chain, max_size=40)
    assert len(found) >= 2 and max(len(c.members) for c in found) < len(nodes)
    assert any(("a6", "b0") in c.bridges for c in found)


def test_a_dense_component_below_the_size_bound_stays_whole() -> None:
    nodes = [f"n{i}" for i in range(14)]
    # Every signal shares values with four others: a case, not a chain.
    edges = [(nodes[i], nodes[(i + k) % 14], 6.0) for i in range(14) for k in (1, 2)]
    [found] = clusters(nodes, edges, max_size=40)
    assert found.members == frozenset(nodes) and found.bridges == ()


def test_a_growing_cluster_keeps_its_id() -> None:
    result = assign_ids({"p1": frozenset("abc")}, [frozenset("abcd")])
    assert result.continues == ["p1"] and result.ended == []


def test_merged_clusters_keep_the_id_of_the_one_they_hold_most_of() -> None:
    old = {"p1": frozenset("ab"), "p2": frozenset("cde")}
    result = assign_ids(old, [frozenset("abcde")])
    assert result.continues == ["p2"] and result.ended == ["p1"]


def test_a_split_keeps_the_id_with_the_majority_and_the_rest_is_new() -> None:
    result = assign_ids({"p1": frozenset("abcde")}, [frozenset("de"), frozenset("abc")])
    assert result.continues == [None, "p1"]


def test_losing_most_members_loses_the_id() -> None:
    result = assign_ids({"p1": frozenset("abcd")}, [frozenset("ab")])
    assert result.continues == [None] and result.ended == ["p1"]


def _assign_by_definition(old: dict[str, frozenset[str]], new: list[frozenset[str]]) -> list:
    """assign_ids as its docstring defines it: every cluster against every proposal."""
    candidates = sorted(
        (-len(members & before), p, i)
        for i, members in enumerate(new)
        for p, before in old.items()
        if 2 * len(members & before) > len(before)
    )
    continues: list = [None] * len(new)
    for _, p, i in candidates:
        if continues[i] is None and p not in continues:
            continues[i] = p
    return continues


_members = st.frozensets(st.sampled_from("abcdefghij"), min_size=1, max_size=6)


@given(
    old=st.dictionaries(st.sampled_from(["p1", "p2", "p3", "p4"]), _members, max_size=4),
    new=st.lists(_members, max_size=5),
)
def test_ids_follow_the_largest_overlaps_as_defined(
    old: dict[str, frozenset[str]], new: list[frozenset[str]]
) -> None:
    result = assign_ids(old, new)
    assert result.continues == _assign_by_definition(old, new)
    assert result.ended == sorted(set(old) - set(result.continues))


def test_pairs_kept_apart_are_cut_where_it_costs_least() -> None:
    # a-b-c strongly linked, c-d weakly, d-e strongly: keeping a and e apart cuts c-d only.
    edges = [("a", "b", 9.0), ("b", "c", 9.0), ("c", "d", 2.0), ("d", "e", 9.0)]
    found = clusters("abcde", edges, max_size=10, apart=[("a", "e")])
    assert [c.members for c in found] == [frozenset("abc"), frozenset("de")]
    assert all(c.bridges == (("c", "d"),) for c in found)


def test_pairs_kept_apart_never_share_a_cluster_however_linked() -> None:
    # Every node linked to every other: the pair still ends up apart.
    nodes = "abcdef"
    edges = [(x, y, 5.0) for i, x in enumerate(nodes) for y in nodes[i + 1 :]]
    found = clusters(nodes, edges, max_size=10, apart=[("a", "b"), ("c", "d")])
    for cluster in found:
        assert not {"a", "b"} <= cluster.members and not {"c", "d"} <= cluster.members


def test_pairs_merged_by_an_analyst_stay_together_past_the_size_bound() -> None:
    # Two dense groups of 8 with one merge between them, bounded at 10: the cut that the size
    # bound asks for would fall exactly on the merge, so the groups stay one cluster.
    left = [f"l{i}" for i in range(8)]
    right = [f"r{i}" for i in range(8)]
    edges = [(x, y, 9.0) for g in (left, right) for i, x in enumerate(g) for y in g[i + 1 :]]
    found = clusters([*left, *right], edges, max_size=10, together=[("l0", "r0")])
    assert [c.members for c in found] == [frozenset(left + right)]
    without = clusters([*left, *right], [*edges, ("l0", "r0", 1.0)], max_size=10)
    assert sorted(len(c.members) for c in without) == [8, 8]


def test_a_merged_pair_is_not_what_a_minimum_cut_removes() -> None:
    # a-b merged (and weakly linked), b-c strong: keeping a and c apart must cut b-c.
    edges = [("a", "b", 1.0), ("b", "c", 9.0)]
    found = clusters("abc", edges, max_size=10, apart=[("a", "c")], together=[("a", "b")])
    assert [c.members for c in found] == [frozenset("ab")]


def test_cutting_a_component_ends_whatever_its_float_weights() -> None:
    # A 147-signal component (from a benchmark's merge) on which networkx 3.6's Louvain loops
    # for ever with float weights (networkx#8739): the cut must end, and hold every node once.
    data = json.loads((Path(__file__).parent / "data" / "louvain-float-weights.json").read_text())
    edges = [(a, b, w) for a, b, w in data["edges"]]

    def hang(*_: object) -> None:
        raise TimeoutError("clusters() did not end within 30 s")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(30)
    try:
        found = clusters(range(data["nodes"]), edges, max_size=40)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    members = [m for c in found for m in c.members]
    assert len(members) == len(set(members)) and all(len(c.members) <= 40 for c in found)
