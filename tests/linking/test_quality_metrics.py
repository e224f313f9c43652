"""The quality measures themselves, on cases small enough to work out by hand."""

import pytest

from hub.linking.quality import bcubed, pairwise


def test_perfect_clustering_scores_one() -> None:
    truth = [{1, 2, 3}, {4, 5}]
    assert pairwise(truth, truth).f1 == 1.0
    assert bcubed(truth, truth, range(1, 8)).f1 == 1.0


def test_merging_two_true_clusters_costs_precision_not_recall() -> None:
    truth = [{1, 2}, {3, 4}]
    merged = [{1, 2, 3, 4}]
    scores = pairwise(truth, merged)
    assert scores.recall == 1.0 and scores.precision == pytest.approx(2 / 6)
    b = bcubed(truth, merged, [1, 2, 3, 4])
    assert b.recall == 1.0 and b.precision == pytest.approx(0.5)


def test_unlinked_noise_counts_as_correct_singletons() -> None:
    b = bcubed([{1, 2}], [{1, 2}], [1, 2, 3, 4])
    assert b.precision == 1.0 and b.recall == 1.0
    missed = bcubed([{1, 2}], [], [1, 2, 3, 4])
    assert missed.precision == 1.0 and missed.recall == pytest.approx(0.75)


def test_an_item_in_two_clusters_is_refused() -> None:
    with pytest.raises(ValueError, match="two clusters"):
        bcubed([{1, 2}], [{1, 2}, {2, 3}], [1, 2, 3])
