"""Disclosure control for published counts: small cells hidden, and hidden cells kept hidden.

Pure. Cells are keyed counts; relations say how published cells depend on each other:

- ``sum``: the total is the sum of the parts (regions of a period, a heat-map row);
- ``cover``: every counted item is in at least one part, so total <= sum of parts and each part
  <= total (barriers of a period: a signal names one barrier or more);
- ``bound``: each part <= total (an indicator's count and its barrier's).

Rules. A count of 1 to 4 is hidden ("<5", primary). Zero is shown as 0: it says no signal was
seen, which is about no one. The hub assumes a reader takes a `<5` cell to be 1..4 and a
complementary ("x") one to be at least 5, and hides complementary cells (the next-smallest
shown cell of a relation) until no hidden cell can be worked out exactly, either by linear
algebra over the sum relations (differencing, also across tables and periods that share a
cell) or by the bounds the relations and markers imply. Only where every other cell within
reach is hidden already does a zero join them, shown as "<5" (still true), so that the hidden
cells of a table of tiny counts are not known to be at least 1.
"""

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

THRESHOLD = 5
PRIMARY = "<5"
SECONDARY = "x"

Key = Hashable
RelationKind = Literal["sum", "cover", "bound"]


@dataclass(frozen=True)
class Relation:
    kind: RelationKind
    total: Key
    parts: tuple[Key, ...]

    def cells(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


def suppress(values: Mapping[Key, int], relations: Sequence[Relation]) -> dict[Key, str]:
    """The hidden cells and their markers: primary `<5` or complementary `x`."""
    hidden: dict[Key, str] = {k: PRIMARY for k, v in values.items() if 0 < v < THRESHOLD}
    by_cell: dict[Key, list[Relation]] = defaultdict(list)
    for relation in relations:
        for key in relation.cells():
            by_cell[key].append(relation)
    zeros: set[Key] = set()
    # Every round hides at least one more cell, so this ends within len(values) rounds.
    for _ in range(len(values) + 1):
        exposed = exposed_cells(values, relations, hidden, zeros)
        if not exposed:
            break
        touched: set[Key] = set()
        for key in sorted(exposed, key=repr):
            if key in touched:
                continue
            extra = _complement(key, values, by_cell, hidden)
            if extra is None:
                continue
            if values[extra] == 0:
                # Everything around is hidden already: a zero joins them, as "<5" (true: 0 < 5),
                # so that hidden cells are no longer known to be at least 1.
                zeros.add(extra)
                hidden[extra] = PRIMARY
            else:
                hidden[extra] = SECONDARY
            # One complement per neighbourhood per round: it may already protect the others.
            for relation in by_cell[extra]:
                touched.update(relation.cells())
        if not touched:
            # Every cell within reach is hidden: what is left to know follows from the
            # structure alone (a reader then still cannot tell a hidden zero from a one).
            break
    return hidden


def exposed_cells(
    values: Mapping[Key, int],
    relations: Sequence[Relation],
    hidden: Mapping[Key, str],
    zeros: frozenset[Key] | set[Key] = frozenset(),
) -> set[Key]:
    """Hidden cells a reader could work out exactly from what is shown."""
    live = [r for r in relations if any(k in hidden for k in r.cells())]
    lo, hi = attacker_bounds(values, live, hidden, zeros)
    # lo > hi: the assumed reading contradicts the table, so a reader would drop it and learn
    # more; hide more rather than trust it.
    pinned = {k for k in hidden if lo[k] >= hi[k]}
    return pinned | _determined(values, live, hidden)


def attacker_bounds(
    values: Mapping[Key, int],
    relations: Iterable[Relation],
    hidden: Mapping[Key, str],
    zeros: frozenset[Key] | set[Key] = frozenset(),
) -> tuple[dict[Key, float], dict[Key, float]]:
    """The narrowest range of each hidden cell that the markers and relations imply.

    A reader is assumed to know that a `<5` cell is 1..4 (stricter than the published rule),
    until a zero has been hidden as `<5`: from then on any `<5` cell may be 0..4, and a reader
    who works with that range may learn what the stricter one would hide.
    """
    relations = list(relations)
    lo: dict[Key, float] = {}
    hi: dict[Key, float] = {}
    least = 0 if zeros else 1
    for key in {k for r in relations for k in r.cells()} | set(hidden):
        if key in hidden:
            lo[key], hi[key] = (
                (least, THRESHOLD - 1) if hidden[key] == PRIMARY else (THRESHOLD, math.inf)
            )
        else:
            lo[key] = hi[key] = values[key]
    for _ in range(200):
        changed = False
        for rel in relations:
            changed |= _tighten(rel, lo, hi)
        if not changed:
            break
    return lo, hi


def _tighten(rel: Relation, lo: dict[Key, float], hi: dict[Key, float]) -> bool:
    total, parts = rel.total, rel.parts
    sum_lo = sum(lo[p] for p in parts)
    finite_hi = sum(hi[p] for p in parts if hi[p] != math.inf)
    infinite = sum(1 for p in parts if hi[p] == math.inf)

    def hi_without(p: Key) -> float:
        rest = infinite - (hi[p] == math.inf)
        return math.inf if rest else finite_hi - (0 if hi[p] == math.inf else hi[p])

    new_lo = dict.fromkeys(rel.cells(), -math.inf)
    new_hi = dict.fromkeys(rel.cells(), math.inf)
    sum_hi = math.inf if infinite else finite_hi
    if rel.kind == "sum":
        new_lo[total], new_hi[total] = sum_lo, sum_hi
        for p in parts:
            new_lo[p] = lo[total] - hi_without(p)
            new_hi[p] = hi[total] - (sum_lo - lo[p])
    elif rel.kind == "cover":
        new_lo[total] = max((lo[p] for p in parts), default=0)
        new_hi[total] = sum_hi
        for p in parts:
            new_lo[p] = lo[total] - hi_without(p)
            new_hi[p] = hi[total]
    else:
        new_lo[total] = max((lo[p] for p in parts), default=0)
        for p in parts:
            new_hi[p] = hi[total]
    changed = False
    for key in rel.cells():
        if new_lo[key] > lo[key]:
            lo[key], changed = new_lo[key], True
        if new_hi[key] < hi[key]:
            hi[key], changed = new_hi[key], True
    return changed


def _determined(
    values: Mapping[Key, int], relations: Sequence[Relation], hidden: Mapping[Key, str]
) -> set[Key]:
    """Hidden cells fixed by the sum relations alone: their unit vector is in the row space."""
    index: dict[Key, int] = {}
    pivots: dict[int, dict[int, Fraction]] = {}
    for rel in relations:
        if rel.kind != "sum":
            continue
        row: dict[int, Fraction] = {}
        for key, sign in ((rel.total, 1), *((p, -1) for p in rel.parts)):
            if key in hidden:
                col = index.setdefault(key, len(index))
                row[col] = row.get(col, Fraction(0)) + sign
        row = {c: v for c, v in row.items() if v}
        _add_row(pivots, row)
    keys = {col: key for key, col in index.items()}
    return {keys[col] for col, row in pivots.items() if len(row) == 1}


def _add_row(pivots: dict[int, dict[int, Fraction]], row: dict[int, Fraction]) -> None:
    """Add one equation to a reduced row echelon form kept as {pivot column: row}."""
    for col in [c for c in row if c in pivots]:
        factor = row.get(col)
        if not factor:
            continue
        for c, v in pivots[col].items():
            row[c] = row.get(c, Fraction(0)) - factor * v
        row = {c: v for c, v in row.items() if v}
    if not row:
        return
    pivot = min(row)
    scale = row[pivot]
    row = {c: v / scale for c, v in row.items()}
    for other in pivots.values():
        factor = other.get(pivot)
        if factor:
            for c, v in row.items():
                other[c] = other.get(c, Fraction(0)) - factor * v
            for c in [c for c, v in other.items() if not v]:
                del other[c]
    pivots[pivot] = row


def _complement(
    key: Key,
    values: Mapping[Key, int],
    by_cell: Mapping[Key, list[Relation]],
    hidden: Mapping[Key, str],
) -> Key | None:
    """The next-smallest shown non-zero cell in a relation of `key`, nearest relations first."""
    seen_cells = {key}
    frontier = [key]
    seen_relations: set[int] = set()
    while frontier:
        relations = [r for k in frontier for r in by_cell.get(k, ()) if id(r) not in seen_relations]
        seen_relations.update(id(r) for r in relations)
        candidates = [
            k for r in relations for k in r.cells() if k not in hidden and values.get(k, 0) > 0
        ]
        if candidates:
            return min(candidates, key=lambda k: (values[k], repr(k)))
        zero = sorted((k for r in relations for k in r.cells() if k not in hidden), key=repr)
        if zero:
            return zero[0]
        # Nothing left to hide beside it: widen through the hidden cells it is tied to.
        frontier = [k for r in relations for k in r.cells() if k in hidden and k not in seen_cells]
        seen_cells.update(frontier)
    return None
