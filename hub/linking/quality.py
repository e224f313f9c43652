"""How good a clustering is against ground truth: pairwise and B-cubed precision and recall.

Items missing from a clustering count as singletons, so noise that nobody linked scores as
correct, and noise that got linked costs precision. B-cubed (Bagga and Baldwin) averages, per
item, how much of its predicted cluster is truly its own (precision) and how much of its true
cluster it was put with (recall); unlike pairwise scores it is not dominated by big clusters.

Over every signal (`bcubed` with all items) each unrelated signal is its own true cluster, so
strangers joined together cost precision; over the planted signals only (`planted_bcubed`) it
says how well the true cases come out, whatever else got linked. `unrelated_linked` counts
the unrelated signals that a clustering put with anything at all.
"""

import itertools
from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


@dataclass(frozen=True)
class Share:
    count: int
    total: int

    @property
    def rate(self) -> float:
        return self.count / self.total if self.total else 0.0


def _index(clusters: Iterable[Iterable[Hashable]]) -> dict[Hashable, frozenset[Hashable]]:
    home: dict[Hashable, frozenset[Hashable]] = {}
    for cluster in clusters:
        members = frozenset(cluster)
        for item in members:
            if item in home:
                raise ValueError(f"{item!r} is in two clusters")
            home[item] = members
    return home


def pairwise(
    truth: Iterable[Iterable[Hashable]], predicted: Iterable[Iterable[Hashable]]
) -> Scores:
    """Precision and recall over pairs of items put together."""

    def pairs(clusters: Iterable[Iterable[Hashable]]) -> set[frozenset[Hashable]]:
        return {
            frozenset(p)
            for c in clusters
            for p in itertools.combinations(sorted(set(c), key=str), 2)
        }

    true_pairs, found_pairs = pairs(truth), pairs(predicted)
    hits = len(true_pairs & found_pairs)
    return Scores(
        precision=hits / len(found_pairs) if found_pairs else 1.0,
        recall=hits / len(true_pairs) if true_pairs else 1.0,
    )


def bcubed(
    truth: Iterable[Iterable[Hashable]],
    predicted: Iterable[Iterable[Hashable]],
    items: Iterable[Hashable],
) -> Scores:
    """B-cubed precision and recall over `items` (every item judged, singletons included)."""
    true_home, found_home = _index(truth), _index(predicted)
    everything = list(items)
    if not everything:
        return Scores(1.0, 1.0)
    precision = recall = 0.0
    for item in everything:
        mine = true_home.get(item, frozenset({item}))
        found = found_home.get(item, frozenset({item}))
        shared = len(mine & found)
        precision += shared / len(found)
        recall += shared / len(mine)
    return Scores(precision / len(everything), recall / len(everything))


def planted_bcubed(
    truth: Iterable[Iterable[Hashable]], predicted: Iterable[Iterable[Hashable]]
) -> Scores:
    """B-cubed over the items of the true clusters only (their predicted clusters in full)."""
    clusters = [set(c) for c in truth]
    return bcubed(clusters, predicted, {item for c in clusters for item in c})


def unrelated_linked(
    truth: Iterable[Iterable[Hashable]],
    predicted: Iterable[Iterable[Hashable]],
    items: Iterable[Hashable],
) -> Share:
    """How many of `items` outside every true cluster of two or more sit in a predicted one."""

    def together(clusters: Iterable[Iterable[Hashable]]) -> set[Hashable]:
        return {item for members in map(set, clusters) if len(members) > 1 for item in members}

    related, linked = together(truth), together(predicted)
    unrelated = {item for item in items if item not in related}
    return Share(len(unrelated & linked), len(unrelated))
