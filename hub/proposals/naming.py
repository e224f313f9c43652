"""A proposal's short name for people: its barriers and main place, e.g. "Employment · Finance
— Rotterdam". Made from what the viewer sees of the members only, so it tells no more than they do.
"""

from collections import Counter
from collections.abc import Iterable, Mapping

from hub.agencies.regions import name_of
from hub.barriers.vocabulary import BARRIER_ORDER


def main_place(municipalities: Iterable[str | None]) -> str | None:
    """The municipality most members name (of those shown); a tie goes to the first by name."""
    counts = Counter(m for m in municipalities if m)
    if not counts:
        return None
    return min(counts, key=lambda m: (-counts[m], name_of(m), m))


def proposal_name(
    barriers: Iterable[str],
    municipalities: Iterable[str | None],
    barrier_names: Mapping[str, str],
) -> str:
    """Barriers in the model's order, then the main place when any member shows one."""
    codes = set(barriers)
    ordered = [b for b in BARRIER_ORDER if b in codes] + sorted(codes - set(BARRIER_ORDER))
    name = " · ".join(barrier_names.get(b, b.capitalize()) for b in ordered)
    place = main_place(municipalities)
    return f"{name} — {name_of(place)}" if place else name
