"""Fuzzy person matching (pure): real-world noise matches, different people do not."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.linking.persons import (
    _MATRIX_FROM,
    PersonKey,
    _candidates_by_name,
    alike,
    candidates,
    fold,
    similarity,
    spelled,
)
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


_WORDS = st.lists(
    st.sampled_from(["van", "de", "der", "jan", "anna", "zhanna", "janna", "savchenko", "ion"])
    | st.text("abcdehijklnorstvxyz", min_size=2, max_size=9),
    min_size=1,
    max_size=4,
)


@st.composite
def _slipped(draw: st.DrawFn) -> tuple[str, str]:
    """A name and the same name with a few slips: letters changed, words moved or dropped."""
    words = draw(_WORDS)
    other = list(words)
    for _ in range(draw(st.integers(0, 3))):
        w = draw(st.integers(0, len(other) - 1))
        at = draw(st.integers(0, len(other[w])))
        other[w] = other[w][:at] + draw(st.sampled_from("ajyzcstx")) + other[w][at + 1 :]
    other = draw(st.permutations(other))
    if len(other) > 2 and draw(st.booleans()):
        other = other[1:]
    return " ".join(words), " ".join(other)


@settings(max_examples=1000)
@given(_slipped())
def test_a_relink_considers_every_pair_the_incremental_path_links(names: tuple[str, str]) -> None:
    """The relink compares only `candidates`; the incremental path compares every pair of a
    block with `similarity`: the candidates must hold each pair it finds alike."""
    a, b = names
    if similarity(PersonKey(a, "1990-05-17"), PersonKey(b, "1990-05-17")) > 0:
        assert (0, 1) in candidates([fold(a), fold(b)]) | candidates([spelled(a), spelled(b)])
        # A person new to a block is compared with what `alike` finds, from either side.
        for x, y in ((a, b), (b, a)):
            found = alike(fold(x), [fold(x), fold(y)]) | alike(spelled(x), [spelled(x), spelled(y)])
            assert 1 in found


@settings(max_examples=200)
@given(st.lists(_slipped(), min_size=5, max_size=20))
def test_a_large_block_finds_the_same_candidates_as_a_small_one(blocks: list) -> None:
    """From `_MATRIX_FROM` names on, `candidates` scores a matrix; it finds what the call per
    name finds."""
    names = [fold(name) for pair in blocks for name in pair]
    assert len(names) >= _MATRIX_FROM
    assert candidates(names) == _candidates_by_name(names)
