"""The evidence rules: frequency costs points, hubs stop linking, one credit per key type."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.linking import rules
from hub.linking.rules import Evidence, credit, pair_weight


@given(st.sampled_from(sorted(rules.LINKING_TYPES)), st.integers(2, 500))
def test_a_more_common_value_never_counts_for_more(key_type: str, carriers: int) -> None:
    assert credit(key_type, carriers + 1) <= credit(key_type, carriers)


@pytest.mark.parametrize("key_type", sorted(rules.LINKING_TYPES))
def test_past_its_cap_a_value_stops_linking(key_type: str) -> None:
    cap = rules.FREQUENCY_CAP[key_type]
    assert credit(key_type, 2) == rules.BASE_WEIGHT[key_type]
    assert credit(key_type, cap + 1) == 0.0
    assert rules.over_cap(key_type, cap + 1) and not rules.over_cap(key_type, cap)


def test_types_that_must_never_link_get_nothing() -> None:
    assert credit("nationality", 2) == 0.0
    assert credit("phone", 1) == 0.0  # a value nobody else carries links nothing


def test_strong_identifiers_link_alone_places_only_when_rare() -> None:
    threshold = rules.LINK_THRESHOLD
    for strong in ("document", "bsn", "iban", "phone", "person", "email", "vehicle"):
        assert credit(strong, 10) >= threshold, strong
    # Two signals at one address link; a briefadres or apartment block of six does not alone.
    assert credit("address", 2) >= threshold > credit("address", 3)
    assert credit("address", 6) < threshold
    # Together with the same employer it is evidence; an agency's seat that 19 unrelated
    # signals name (address, company name and KvK number alike) is not.
    assert credit("address", 6) + credit("company-name", 6) >= threshold
    assert credit("address", 19) + credit("company-name", 19) + credit("kvk", 19) < threshold
    assert credit("company-name", 2) < threshold


def test_pair_weight_counts_each_type_once_with_its_best_value() -> None:
    shared = [
        Evidence("address", "t1", 2.0),
        Evidence("address", "t2", 4.0),
        Evidence("phone", "t3", 8.0),
    ]
    points, counted = pair_weight(shared)
    assert points == 12.0
    assert [(e.key_type, e.token) for e in counted] == [("phone", "t3"), ("address", "t2")]
