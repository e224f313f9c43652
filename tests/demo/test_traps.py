"""The traps of issue 18 in the synthetic population: set at their documented rates, on the
signals they are meant for, without touching the ground truth. Pure: no database."""

import random
import re
from collections import Counter
from datetime import UTC, date, datetime

import pytest

from hub.demo.population import Population, generate
from hub.demo.traps import (
    COMMON_NAMES,
    COMMON_YEARS,
    OCR_CONFUSIONS,
    SPELLINGS,
    Traps,
    is_placeholder,
    ocr_slip,
    placeholder_date,
)

NOW = datetime(2026, 11, 20, tzinfo=UTC)
SIZE = 6000
# The generator's passport numbers: two letters (never I or O) and seven digits.
PASSPORT = re.compile(r"[A-HJ-NP-Z]{2}[0-9]{7}")
COMMON = {" ".join(n.casefold().split()) for names in COMMON_NAMES.values() for n in names}
SPELLING_ROWS = [
    {" ".join(s.casefold().split()) for s in row}
    for table in SPELLINGS.values()
    for part in ("family", "family-female")
    for row in table[part]
]

Bodies = dict[str, dict]


@pytest.fixture(scope="module")
def population() -> Population:
    return generate(SIZE, seed=5, now=NOW)


@pytest.fixture(scope="module")
def bodies(population: Population) -> Bodies:
    return {body["external_ref"]: body for _, body in population.signals()}


def _planted(population: Population) -> set[str]:
    return {ref for case in population.cases for ref in case}


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def _placeholder_people(body: dict) -> list[tuple[str, str]]:
    return [
        (_key(s["name"]), s["birth_date"])
        for s in body["subjects"]
        if s["type"] == "person"
        and _key(s["name"]) in COMMON
        and is_placeholder(date.fromisoformat(s["birth_date"]))
    ]


def _spellings(case: frozenset[str], bodies: Bodies) -> set[str]:
    """The forms of a transliterated family name a case's signals use (none: not such a case)."""
    names = [_key(s["name"]) for ref in case for s in bodies[ref]["subjects"] if "name" in s]
    rows = [r for r in SPELLING_ROWS if any(set(n.split()) & r for n in names)]
    return {w for n in names for w in n.split() if w in rows[0]} if rows else set()


def _documents(body: dict) -> list[str]:
    return [
        s["number"].replace(" ", "").upper() for s in body["subjects"] if s["type"] == "document"
    ]


def test_common_names_with_placeholder_dates_on_eight_percent_of_unrelated_signals(
    population: Population, bodies: Bodies
) -> None:
    planted = _planted(population)
    unrelated = [b for ref, b in bodies.items() if ref not in planted]
    trapped = [b for b in unrelated if _placeholder_people(b)]
    assert len(trapped) == population.trapped["common-name"]
    assert 0.065 <= len(trapped) / len(unrelated) <= 0.095
    # Only strangers carry them: the planted cases keep their own people.
    assert not any(_placeholder_people(bodies[ref]) for ref in planted)
    # Strangers collide on name and date, several at a time.
    shared = Counter(p for b in trapped for p in _placeholder_people(b))
    assert sum(n for n in shared.values() if n > 1) > 0.45 * len(trapped)
    assert max(shared.values()) >= 4


def test_placeholder_dates_are_mostly_the_first_of_january() -> None:
    rng = random.Random(1)
    days = [placeholder_date(rng) for _ in range(4000)]
    assert all(d.day == 1 and d.year in COMMON_YEARS for d in days)
    january, july = sum(d.month == 1 for d in days), sum(d.month == 7 for d in days)
    assert 0.65 * len(days) < january < 0.8 * len(days)
    assert 0.15 * len(days) < july < 0.3 * len(days)
    assert len({d.month for d in days}) == 12  # month known, day not: the first of it


def test_a_fifth_of_planted_cases_spell_their_person_in_several_romanisations(
    population: Population, bodies: Bodies
) -> None:
    cases = population.cases
    assert 0.15 <= population.trapped["transliterated"] / len(cases) <= 0.25
    spelt = [forms for case in cases if (forms := _spellings(case, bodies))]
    assert len(spelt) == population.trapped["transliterated"]
    # Most such cases hold the family name in two or more spellings, across alphabets' rules.
    assert sum(len(forms) > 1 for forms in spelt) > 0.5 * len(spelt)
    everything = set().union(*spelt)
    assert {"shevchenko", "ševčenko", "schewtschenko"} & everything
    assert {"georgieva", "gueorguieva", "georgiev", "gueorguiev"} & everything


def test_ocr_slips_in_copied_document_numbers_only(population: Population, bodies: Bodies) -> None:
    planted = _planted(population)
    assert all(
        PASSPORT.fullmatch(n)
        for ref, b in bodies.items()
        if ref not in planted
        for n in _documents(b)
    )
    copies = slipped = 0
    for case in population.cases:
        numbers = [n for ref in case for n in _documents(bodies[ref])]
        if not numbers:
            continue
        # The case's first signal holds the number as issued; the others copy it.
        assert any(PASSPORT.fullmatch(n) for n in numbers)
        copies += len(numbers) - 1
        slipped += sum(not PASSPORT.fullmatch(n) for n in numbers)
    assert copies > 100
    assert 0.08 <= slipped / copies <= 0.22, slipped / copies


def test_an_ocr_slip_is_one_look_alike_character() -> None:
    rng = random.Random(3)
    for number in ("AB1234567", "SB0850185", "XZ2345678"):
        slipped = ocr_slip(rng, number)
        changed = [(a, b) for a, b in zip(number, slipped, strict=True) if a != b]
        assert len(changed) == 1 and OCR_CONFUSIONS[changed[0][0]] == changed[0][1]
    assert ocr_slip(rng, "XZ2342") == "XZ2342"  # nothing a scanner confuses


def test_the_traps_change_only_the_signals_they_are_set_on(
    population: Population, bodies: Bodies
) -> None:
    plain = generate(SIZE, seed=5, now=NOW, traps=Traps.none())
    assert plain.cases == population.cases  # the truth does not move
    assert plain.trapped == {"common-name": 0, "transliterated": 0}
    transliterated = {ref for case in population.cases if _spellings(case, bodies) for ref in case}
    differ = [
        body["external_ref"] for _, body in plain.signals() if body != bodies[body["external_ref"]]
    ]
    for ref in differ:
        body = bodies[ref]
        assert (
            ref in transliterated
            or _placeholder_people(body)
            or any(not PASSPORT.fullmatch(n) for n in _documents(body))
        ), ref
    assert len(differ) > population.trapped["common-name"]


def test_rates_outside_zero_to_one_are_refused() -> None:
    with pytest.raises(ValueError, match="common_name_rate"):
        Traps(common_name_rate=1.5)
    with pytest.raises(ValueError, match="ocr_slip_rate"):
        Traps(ocr_slip_rate=-0.1)
