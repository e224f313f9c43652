"""The collector's settings while serving, and as they were afterwards."""

import gc

from hub.kit.heap import YOUNG_THRESHOLD, settled_heap


def test_startup_is_frozen_and_young_collections_are_rarer_while_serving() -> None:
    before = gc.get_threshold()
    with settled_heap():
        assert gc.get_threshold() == (YOUNG_THRESHOLD, before[1], before[2])
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
