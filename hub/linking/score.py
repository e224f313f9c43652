"""How strong a case proposal is: a documented formula whose parts the API shows (pure).

    score = recency * (barriers + agencies + indicators + links + grading)

- barriers: 10 points per barrier of the model the cluster spans (entry, accommodation,
  identity, employment, finance). It comes first because a chain seen across barriers is the
  barrier model's strongest case: 5 barriers give 50, more than all other parts together.
- agencies: 4 points per independent agency beyond the first, at most 20: the same story from
  KMar, the municipality and the Labour Inspectorate is worth more than one agency repeating it.
- indicators: the sum of the weights of the distinct indicators seen (the vocabulary's weights,
  0.3 = weak to 0.9 = near-conclusive), at most 5.
- links: the mean points of the links holding the cluster together, divided by 3, at most 5.
- grading: the Europol 4x4 grading of the members, mean of source (A 1, B ⅔, C ⅓, X 0) plus
  information (1 1, 2 ⅔, 3 ⅓, 4 0), times 2: 0 to 4. Ungraded counts as C3.
- recency: 0.5 ^ (days since the newest member was observed / HALF_LIFE_DAYS); 1 when no
  member's date is known (a viewer who may see no dates).

A viewer is scored on what it may see: members it may see only at `hit` level add their barriers
and agency, not their indicators, grading or date.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

HALF_LIFE_DAYS = 90.0
_SOURCE = {"A": 1.0, "B": 2 / 3, "C": 1 / 3, "X": 0.0}
_INFORMATION = {"1": 1.0, "2": 2 / 3, "3": 1 / 3, "4": 0.0}


@dataclass(frozen=True)
class MemberFacts:
    agency: str
    barriers: frozenset[str]
    indicators: frozenset[str]
    reliability: str | None
    credibility: str | None
    observed_at: datetime | None  # None where the viewer may not see it


def score(
    members: Iterable[MemberFacts],
    link_points: Iterable[float],
    *,
    indicator_weights: Mapping[str, float],
    now: datetime,
) -> dict[str, float]:
    """The parts and the total (key `score`), each rounded to 2 decimals."""
    facts = list(members)
    points = list(link_points)
    barriers = frozenset().union(*(m.barriers for m in facts))
    agencies = {m.agency for m in facts}
    indicators = frozenset().union(*(m.indicators for m in facts))
    grading = sum(
        _SOURCE.get(m.reliability or "C", 1 / 3) + _INFORMATION.get(m.credibility or "3", 1 / 3)
        for m in facts
    ) / max(len(facts), 1)
    dates = [m.observed_at for m in facts if m.observed_at is not None]
    age_days = max(0.0, (now - max(dates)).total_seconds() / 86400) if dates else 0.0
    parts = {
        "barriers": 10.0 * len(barriers),
        "agencies": min(20.0, 4.0 * max(0, len(agencies) - 1)),
        "indicators": min(5.0, sum(indicator_weights.get(code, 0.0) for code in indicators)),
        "links": min(5.0, (sum(points) / len(points) / 3) if points else 0.0),
        "grading": 2.0 * grading,
    }
    recency = 0.5 ** (age_days / HALF_LIFE_DAYS)
    out = {name: round(value, 2) for name, value in parts.items()}
    out["recency"] = round(recency, 4)
    out["score"] = round(recency * sum(parts.values()), 2)
    return out
