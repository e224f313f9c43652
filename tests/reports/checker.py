"""An attacker's view of a published table: try to recover hidden cells from what is shown.

Written apart from hub/reports/disclosure.py on purpose: it knows only the published values
(ints, "<5" meaning 1..4, "x" meaning at least 5) and the sums a reader can see.
"""

from collections.abc import Hashable, Mapping, Sequence

Cell = Hashable
# (total, parts): total = sum(parts), as a reader of the table knows.
Equation = tuple[Cell, Sequence[Cell]]


def differencing(shown: Mapping[Cell, int | str], equations: Sequence[Equation]) -> set[Cell]:
    """Hidden cells recovered by subtracting shown cells, repeated until nothing new is learnt."""
    known = {k: v for k, v in shown.items() if isinstance(v, int)}
    recovered: set[Cell] = set()
    progress = True
    while progress:
        progress = False
        for total, parts in equations:
            unknown = [c for c in (total, *parts) if c not in known]
            if len(unknown) != 1:
                continue
            [cell] = unknown
            if cell == total:
                known[cell] = sum(known[p] for p in parts)
            else:
                known[cell] = known[total] - sum(known[p] for p in parts if p != cell)
            recovered.add(cell)
            progress = True
    return recovered


def exact_recoveries(
    shown: Mapping[Cell, int | str],
    equations: Sequence[Equation],
    *,
    cap: int,
    under_five: range = range(1, 5),
) -> set[Cell]:
    """Hidden cells that take one value only in every table consistent with what is shown.

    Brute force over the markers' ranges ("<5": 1..4 by default, the stricter reading; "x":
    5..cap): for small tables only.
    """
    hidden = [k for k, v in shown.items() if not isinstance(v, int)]
    domain = {k: under_five if shown[k] == "<5" else range(5, cap + 1) for k in hidden}
    rows = []
    for total, parts in equations:
        coef: dict[Cell, int] = {}
        const = 0
        for cell, sign in ((total, 1), *((p, -1) for p in parts)):
            if cell in domain:
                coef[cell] = coef.get(cell, 0) + sign
            else:
                const -= sign * shown[cell]  # type: ignore[operator]
        if coef:
            rows.append((coef, const))

    def feasible(fixed: dict[Cell, int]) -> bool:
        for coef, const in rows:
            low = high = 0
            for cell, c in coef.items():
                if cell in fixed:
                    low += c * fixed[cell]
                    high += c * fixed[cell]
                else:
                    a, b = c * domain[cell][0], c * domain[cell][-1]
                    low += min(a, b)
                    high += max(a, b)
            if not low <= const <= high:
                return False
        return True

    def solvable(fixed: dict[Cell, int], rest: list[Cell]) -> bool:
        if not feasible(fixed):
            return False
        if not rest:
            return True
        cell, *others = rest
        return any(solvable({**fixed, cell: v}, others) for v in domain[cell])

    recovered = set()
    for cell in hidden:
        others = [k for k in hidden if k != cell]
        values = [v for v in domain[cell] if solvable({cell: v}, others)]
        if len(values) <= 1:
            recovered.add(cell)
    return recovered
