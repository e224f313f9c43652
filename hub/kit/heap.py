"""The garbage collector's settings while a process serves requests."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Allocations between young collections (CPython's default is 700).
YOUNG_THRESHOLD = 50_000


@contextmanager
def settled_heap() -> Iterator[None]:
    """What startup built (modules, app, covenants, vocabulary) frozen out of the collector's
    reach, and young collections every YOUNG_THRESHOLD allocations: a review-queue request
    builds a hundred thousand rows, ids and facts, and with the defaults it ran two full
    collections over the whole heap, half its time. For as long as the app serves."""
    previous = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, previous[1], previous[2])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()
