"""What counts as evidence that two signals belong together (pure).

Two signals are linked by the match keys they share (blind-index tokens of the keys that
`hub.signals.subjects.identifier_keys` makes). Each key type has a base weight, in points of
log2 odds in the Fellegi-Sunter manner: a shared passport number is near-proof, a shared address
is a hint. A value carried by many signals says less, as Splink's term-frequency adjustment and
nomenklatura's capped logarithmic credit have it: each doubling of the number of signals that
carry a value costs one point, and past a per-type cap the value stops linking altogether (and
is listed for analysts, who can lift the cap by excluding or accepting it). Ten workers at one
address is evidence; a 400-bed hotel's address is not.

Per pair, each key type counts once (its best shared value), so ten shared addresses of one
building do not add up to a passport. A pair is linked when its points reach LINK_THRESHOLD.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Base points when exactly two signals share the value.
BASE_WEIGHT: Mapping[str, float] = {
    "document": 12.0,
    "bsn": 12.0,
    "iban": 10.0,
    "email": 9.0,
    "person": 9.0,  # normalised name + birth date
    "phone": 8.0,
    "vehicle": 7.0,
    # Places and organisations: many unrelated people share them legitimately (a house, an
    # employment agency, a webshop), so alone they link only the rarest values.
    "kvk": 5.0,
    "address": 5.0,
    "website": 5.0,
    "company-name": 3.0,
}
# The most signals a value may be shared by and still link: beyond it the value is a hub (an
# agency's office, a big employment agency's switchboard, a briefadres) and proves nothing.
FREQUENCY_CAP: Mapping[str, int] = {
    "document": 12,
    "bsn": 12,
    "iban": 40,
    "email": 40,
    "person": 25,
    "phone": 40,
    "kvk": 150,
    "vehicle": 40,
    "website": 80,
    "address": 40,
    "company-name": 150,
}
LINKING_TYPES = frozenset(BASE_WEIGHT)
# Persons that are probably the same (hub.linking.persons), found through a blocking key.
SIMILAR_PERSON = "person-similar"
# Persons in one birth-date block whose signals hold near-identical document numbers.
SIMILAR_DOCUMENT = "document-similar"
# A birth date shared by more signals than this is too common to compare every pair within.
BLOCK_CAP = 300
# A pair needs this many points to link: a phone or a person alone does (up to about twenty
# signals sharing it); an address or a KvK number alone only between two signals, from three on
# it needs more evidence beside it; a company name never does alone. Measured on the synthetic
# data's traps (briefadressen, apartment blocks, an employment agency's seat shared by 6 to 28
# unrelated signals), which lower thresholds chained into false proposals.
LINK_THRESHOLD = 4.5


def credit(key_type: str, carriers: int) -> float:
    """Points for a value of `key_type` carried by `carriers` signals (0 past the cap)."""
    base = BASE_WEIGHT.get(key_type)
    if base is None or carriers < 2 or carriers > FREQUENCY_CAP[key_type]:
        return 0.0
    return max(0.0, base - math.log2(carriers / 2))


def over_cap(key_type: str, carriers: int) -> bool:
    return key_type in FREQUENCY_CAP and carriers > FREQUENCY_CAP[key_type]


@dataclass(frozen=True)
class Evidence:
    """One shared value: its type, its token (never the value itself) and the points it gave."""

    key_type: str
    token: str
    points: float


def pair_weight(shared: Iterable[Evidence]) -> tuple[float, list[Evidence]]:
    """The pair's points: per key type the best shared value; and the evidence that counted."""
    best: dict[str, Evidence] = {}
    for evidence in shared:
        known = best.get(evidence.key_type)
        if known is None or (evidence.points, evidence.token) > (known.points, known.token):
            best[evidence.key_type] = evidence
    counted = sorted(best.values(), key=lambda e: (-e.points, e.key_type))
    return round(sum(e.points for e in counted), 6), counted
