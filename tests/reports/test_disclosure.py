"""Disclosure control without a database: small counts hidden, hidden counts unrecoverable."""

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hub.reports.disclosure import PRIMARY, SECONDARY, Relation, suppress
from tests.reports.checker import differencing, exact_recoveries

small_counts = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20])


def _one_way(parts: list[int]) -> tuple[dict, list[Relation]]:
    values = {("part", i): v for i, v in enumerate(parts)} | {"total": sum(parts)}
    return values, [Relation("sum", "total", tuple(("part", i) for i in range(len(parts))))]


def _two_way(grid: list[list[int]]) -> tuple[dict, list[Relation]]:
    rows, cols = len(grid), len(grid[0])
    values: dict = {(i, j): grid[i][j] for i in range(rows) for j in range(cols)}
    relations = []
    for i in range(rows):
        values[("row", i)] = sum(grid[i])
        relations.append(Relation("sum", ("row", i), tuple((i, j) for j in range(cols))))
    for j in range(cols):
        values[("col", j)] = sum(grid[i][j] for i in range(rows))
        relations.append(Relation("sum", ("col", j), tuple((i, j) for i in range(rows))))
    values["all"] = sum(map(sum, grid))
    relations.append(Relation("sum", "all", tuple(("row", i) for i in range(rows))))
    relations.append(Relation("sum", "all", tuple(("col", j) for j in range(cols))))
    return values, relations


def _published(values: dict, relations: list[Relation]) -> dict:
    hidden = suppress(values, relations)
    return {k: hidden.get(k, v) for k, v in values.items()}


def _equations(relations: list[Relation]) -> list:
    return [(r.total, r.parts) for r in relations]


def _reading(values: dict, shown: dict) -> range:
    """1..4 for "<5" unless the hub had to hide a zero or everything: then the published 0..4."""
    zero_hidden = any(v == 0 and shown[k] == PRIMARY for k, v in values.items())
    everything = all(not isinstance(v, int) or v == 0 for v in shown.values())
    return range(0, 5) if zero_hidden or everything else range(1, 5)


def test_a_table_of_ones_hides_a_zero_beside_them() -> None:
    values, relations = _two_way([[1, 0], [1, 0], [1, 0], [1, 0]])
    shown = _published(values, relations)
    assert all(shown[(i, 0)] == PRIMARY for i in range(4))
    # Four hidden cells of at least 1 under a column of at most 4 would all be 1: a zero joins.
    assert any(shown[k] == PRIMARY for k, v in values.items() if v == 0)


def test_counts_one_to_four_show_as_under_five_and_zero_shows() -> None:
    values = {"a": 0, "b": 1, "c": 4, "d": 5, "e": 40}
    assert suppress(values, []) == {"b": PRIMARY, "c": PRIMARY}


def test_one_hidden_part_of_a_shown_total_takes_the_next_smallest_with_it() -> None:
    values, relations = _one_way([30, 3, 9, 7, 0])
    shown = _published(values, relations)
    assert shown[("part", 1)] == PRIMARY
    # 7 is the next-smallest non-zero cell: without it 3 = 49 - 30 - 9 - 7.
    assert shown[("part", 3)] == SECONDARY
    assert shown[("part", 0)] == 30 and shown[("part", 2)] == 9 and shown["total"] == 49
    assert differencing(shown, _equations(relations)) == set()


def test_two_small_cells_that_pin_each_other_get_a_complement() -> None:
    # 1 + 1 = 2 and the total are shown: both ones would be known exactly.
    values, relations = _one_way([1, 1, 8, 10])
    shown = _published(values, relations)
    assert shown[("part", 2)] == SECONDARY
    assert exact_recoveries(shown, _equations(relations), cap=40) == set()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(small_counts, min_size=1, max_size=7))
def test_no_hidden_cell_of_a_one_way_table_can_be_recovered(parts: list[int]) -> None:
    values, relations = _one_way(parts)
    shown = _published(values, relations)
    assert all(shown[k] == PRIMARY for k, v in values.items() if 1 <= v <= 4)
    assert differencing(shown, _equations(relations)) == set()
    cap = values["total"] + 12
    reading = _reading(values, shown)
    assert exact_recoveries(shown, _equations(relations), cap=cap, under_five=reading) == set()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 4).flatmap(
        lambda cols: st.lists(
            st.lists(small_counts, min_size=cols, max_size=cols), min_size=1, max_size=4
        )
    )
)
# Found by hypothesis: a zero hidden as "<5" lets a reader take every "<5" as 0..4, and then
# the grand total pins the rows that the 1..4 reading left open.
@example([[5, 0], [6, 1], [0, 5]])
def test_no_hidden_cell_of_a_two_way_table_can_be_recovered(grid: list[list[int]]) -> None:
    values, relations = _two_way(grid)
    shown = _published(values, relations)
    assert all(shown[k] == PRIMARY for k, v in values.items() if 1 <= v <= 4)
    assert differencing(shown, _equations(relations)) == set()
    if sum(1 for v in shown.values() if not isinstance(v, int)) <= 8:  # brute force stays quick
        cap, reading = values["all"] + 12, _reading(values, shown)
        assert exact_recoveries(shown, _equations(relations), cap=cap, under_five=reading) == set()


def test_a_cell_shared_by_two_tables_is_protected_in_both() -> None:
    # Regions and agency kinds of one period share the total: hiding in one must hold in both.
    values = {"total": 20, "r1": 2, "r2": 18, "k1": 10, "k2": 10}
    relations = [Relation("sum", "total", ("r1", "r2")), Relation("sum", "total", ("k1", "k2"))]
    shown = _published(values, relations)
    eqs = _equations(relations)
    assert shown["r1"] == PRIMARY
    assert differencing(shown, eqs) == set()
    assert exact_recoveries(shown, eqs, cap=40) == set()
