"""A value's frequency counts the parties that carry it, not the signals (pure): signals the
other evidence links to each other are one party, as Fellegi-Sunter's u-probability is about
how many others share a value, not how often one party wrote it down."""

import uuid

from hypothesis import given
from hypothesis import strategies as st

from hub.linking import graph, rules


def _ids(n: int) -> list[uuid.UUID]:
    return sorted(uuid.uuid4() for _ in range(n))


def _hood(tokens: dict[str, tuple[str, list[uuid.UUID]]]) -> graph.Neighbourhood:
    hood = graph.Neighbourhood()
    for token, (kind, carriers) in tokens.items():
        hood.tokens[token] = (kind, frozenset(carriers))
        hood.nodes |= set(carriers)
    return hood


def _points(shared: dict, a: uuid.UUID, b: uuid.UUID, kind: str) -> float:
    pair = (min(a, b), max(a, b))
    return max((e.points for e in shared.get(pair, ()) if e.key_type == kind), default=0.0)


@given(st.lists(st.integers(0, 5), min_size=1, max_size=12))
def test_linked_carriers_count_once_and_the_rest_each(groups: list[int]) -> None:
    carriers = [f"s{i}" for i in range(len(groups))]
    # Carriers with group 0 are linked to nothing; the others to their group.
    party_of = {c: g for c, g in zip(carriers, groups, strict=True) if g}
    expected = len({g for g in groups if g}) + groups.count(0)
    assert rules.parties(carriers, party_of) == expected <= len(carriers)


def test_a_signal_sharing_a_linked_pairs_address_links_like_a_second_signal() -> None:
    a, b, c = _ids(3)
    shared = graph.pairs(_hood({"phone": ("phone", [a, b]), "home": ("address", [a, b, c])}))
    # Three signals, two parties: the address is worth what two signals sharing it are.
    assert _points(shared, a, c, "address") == rules.credit("address", 2)
    assert _points(shared, b, c, "address") >= rules.LINK_THRESHOLD
    assert rules.pair_weight(shared[(min(a, c), max(a, c))])[0] >= rules.LINK_THRESHOLD


def test_three_strangers_at_one_address_are_three_parties() -> None:
    a, b, c = _ids(3)
    shared = graph.pairs(_hood({"flat": ("address", [a, b, c])}))
    assert _points(shared, a, b, "address") == rules.credit("address", 3) < rules.LINK_THRESHOLD


def test_a_linked_pair_and_two_strangers_are_three_parties() -> None:
    a, b, c, d = _ids(4)
    shared = graph.pairs(_hood({"phone": ("phone", [a, b]), "flat": ("address", [a, b, c, d])}))
    assert _points(shared, a, c, "address") == rules.credit("address", 3) < rules.LINK_THRESHOLD
    assert _points(shared, c, d, "address") == rules.credit("address", 3)


def test_carriers_outside_the_neighbourhood_count_each() -> None:
    a, b, c, gone = _ids(4)
    hood = _hood({"phone": ("phone", [a, b]), "home": ("address", [a, b, c, gone])})
    hood.nodes.discard(gone)  # restricted, say: it links nothing and is no one's party
    assert _points(graph.pairs(hood), a, c, "address") == rules.credit("address", 3)


def _named(hood: graph.Neighbourhood, name: str, *persons: tuple[uuid.UUID, bool]) -> None:
    """Persons of one name (at subject position 0), each with or without a birth date."""
    hood.named[name] = frozenset((signal_id, 0) for signal_id, _ in persons)
    for signal_id, dated in persons:
        hood.nodes.add(signal_id)
        hood.add_fact(signal_id, 0, "person-name", name)
        if dated:
            hood.add_fact(signal_id, 0, "birth-era", "331")


def test_a_name_counts_where_one_side_has_no_birth_date() -> None:
    a, b, c = _ids(3)
    hood = graph.Neighbourhood()
    _named(hood, "ann", (a, True), (b, False), (c, True))
    shared = graph.pairs(hood)
    assert _points(shared, a, b, rules.NAME_ONLY) == rules.NAME_ONLY_WEIGHT
    assert _points(shared, b, c, rules.NAME_ONLY) == rules.NAME_ONLY_WEIGHT
    # Both dated: the person rules judge them (the dates may say two people).
    assert (min(a, c), max(a, c)) not in shared
