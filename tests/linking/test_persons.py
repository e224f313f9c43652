"""Fuzzy person matching (pure): real-world noise matches, different people do not."""

import pytest

from hub.linking.persons import PersonKey, similarity
from hub.signals.subjects import PersonSubject, blocking_keys, identifier_keys

ION = PersonKey("ion popescu", "1994-03-02")


@pytest.mark.parametrize(
    ("other", "why"),
    [
        (PersonKey("ion popsecu", "1994-03-02"), "a typo"),
        (PersonKey("popescu ion", "1994-03-02"), "given and family name swapped"),
        (PersonKey("ion popescu", "1994-02-03"), "day and month swapped"),
        (PersonKey("ion vasile popescu", "1994-03-02"), "a middle name the other lacks"),
    ],
)
def test_noise_still_matches(other: PersonKey, why: str) -> None:
    assert similarity(ION, other) > 0, why


def test_diacritics_and_transliteration_fold() -> None:
    assert similarity(PersonKey("ana știrbu", "1990-01-05"), PersonKey("ana stirbu", "1990-01-05"))
    assert similarity(
        PersonKey("đorđe jovanović", "1985-07-21"), PersonKey("djordje jovanovic", "1985-07-21")
    )


@pytest.mark.parametrize(
    "other",
    [
        PersonKey("ion popescu", "1994-03-05"),  # another birth date
        PersonKey("ion popescu", "1995-03-02"),  # another year
        PersonKey("maria ionescu", "1994-03-02"),  # another person born the same day
        ION,  # exactly equal: the exact person key links these, not the fuzzy one
    ],
)
def test_different_people_or_exact_equals_get_nothing(other: PersonKey) -> None:
    assert similarity(ION, other) == 0


def test_a_swapped_date_counts_for_less_than_the_same_date() -> None:
    typo = similarity(ION, PersonKey("ion popsecu", "1994-03-02"))
    swapped = similarity(ION, PersonKey("ion popsecu", "1994-02-03"))
    assert 0 < swapped < typo


def test_the_blocking_key_meets_a_swapped_date_and_is_no_match_key() -> None:
    a = PersonSubject(type="person", name="Ion Popescu", birth_date="1994-03-02")
    b = PersonSubject(type="person", name="Ion Popsecu", birth_date="1994-02-03")
    [key_a], [key_b] = blocking_keys(a), blocking_keys(b)
    assert (key_a.type, key_a.value) == (key_b.type, key_b.value)
    # The block keeps each person's own match value, to compare without another read.
    assert PersonKey.parse(key_a.sealed or "") == PersonKey("ion popescu", "1994-03-02")
    assert {k.type for k in identifier_keys(a)} == {"person"}
    assert PersonKey.parse(identifier_keys(a)[0].value) == PersonKey("ion popescu", "1994-03-02")
