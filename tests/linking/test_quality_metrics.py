"""The quality measures themselves, on cases small enough to work out by hand."""

import pytest

from hub.linking.quality import Share, bcubed, pairwise, planted_bcubed, unrelated_linked


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


def test_joining_strangers_costs_all_signal_precision_not_planted() -> None:
    # One planted case {1, 2}; 3 to 6 are unrelated. The linker joins 3, 4 and 5.
    truth, found, items = [{1, 2}], [{1, 2}, {3, 4, 5}], range(1, 7)
    assert planted_bcubed(truth, found).f1 == 1.0
    everything = bcubed(truth, found, items)
    assert everything.recall == 1.0
    assert everything.precision == pytest.approx((1 + 1 + 3 * (1 / 3) + 1) / 6)
    assert unrelated_linked(truth, found, items) == Share(3, 4)
    assert unrelated_linked(truth, found, items).rate == 0.75


def test_a_stranger_in_a_planted_case_costs_its_planted_precision() -> None:
    truth = [{1, 2}]
    scores = planted_bcubed(truth, [{1, 2, 3}])
    assert scores.recall == 1.0 and scores.precision == pytest.approx(2 / 3)
    assert unrelated_linked(truth, [{1, 2, 3}], [1, 2, 3, 4]) == Share(1, 2)


def test_a_missed_planted_case_costs_planted_recall_only() -> None:
    scores = planted_bcubed([{1, 2}, {3, 4}], [{1, 2}])
    assert scores.precision == 1.0 and scores.recall == pytest.approx(0.75)


def test_singletons_neither_relate_nor_link() -> None:
    # A true "cluster" of one is unrelated; a predicted cluster of one links nothing.
    assert unrelated_linked([{1}, {2, 3}], [{1}, {2, 3}], [1, 2, 3, 4]) == Share(0, 2)
    assert Share(0, 0).rate == 0.0
