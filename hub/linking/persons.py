"""Is this the same person despite the noise? (pure; rapidfuzz)

Persons reach each other only through a blocking key, the birth date with day and month in
either order (`hub.signals.subjects.blocking_keys`), so a candidate pair has already been found
through the blind index. Only then are both persons' stored match values (normalised name and
birth date) decrypted inside the hub and compared:

- names: transliterated to ASCII (Știrbu = Stirbu, Đorđević = Dordevic) and compared with
  rapidfuzz's token-sort ratio, which ignores word order (given and family name swapped), or
  as written when that scores higher (`name_ratio`: a slip in a first letter); a name
  whose words are all in the other one (a missing middle name) counts as a match too; and
  compared again in their spelling keys (`hub.linking.rules.spelling_key`), where the German,
  French, Polish and Bulgarian spellings of one Slavic name meet (Schewtschenko = Ševčenko =
  Shevchenko, Gueorguieva = Georgieva);
- birth dates: the same, or day and month swapped (a one-field slip), or in conflict.

Exact matches are left to the exact person key; a conflicting birth date is no match.

Two persons in one block whose signals carry document numbers one slip apart (a digit typed
wrong, two swapped, one dropped), of the same kind and country, are probably the same person
too, whatever their names say: a birth date and a near-identical number rarely meet by chance.
Numbers are compared in their OCR keys too (`hub.linking.rules.ocr_key`: O/0, I/1, B/8, S/5),
so a scanner's misreads, however many, count as one slip.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from anyascii import anyascii
from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from hub.linking import rules
from hub.linking.rules import is_partial_iso, ocr_key, spelling_key

# Points, in the same units as hub.linking.rules: below an exact person match (9).
SAME_DATE = {"near": 8.0, "close": 6.0}
SWAPPED_DATE = {"near": 7.0, "close": 5.0}
NEAR, CLOSE = 92.0, 85.0
# Points for a document number one edit away within a birth-date block: enough to link alone.
# Measured on FEBRL4 (10,000 records, 7-digit numbers): it found 23 missed true pairs and no
# false one; shorter numbers are too easily one edit from another to count.
NEAR_DOCUMENT = 6.0
DOCUMENT_MIN_LENGTH = 6


@dataclass(frozen=True)
class PersonKey:
    name: str
    born: str  # YYYY-MM-DD

    @classmethod
    def parse(cls, value: str) -> "PersonKey":
        """From the stored person match value, "name|YYYY-MM-DD"."""
        name, _, born = value.rpartition("|")
        return cls(name, born)

    # Each person is compared with every other of its block: its forms are made once.
    @cached_property
    def folded(self) -> str:
        return fold(self.name)

    @cached_property
    def spelling(self) -> str:
        return spelled(self.name)


def fold(name: str) -> str:
    """A name as compared: ASCII, lower case, hyphens as spaces, single spaces."""
    return " ".join(anyascii(name).lower().replace("-", " ").split())


_DIGRAPHS = str.maketrans(dict(rules.DIACRITIC_DIGRAPHS))


def spelled(name: str) -> str:
    """A name's spelling key: háček letters as digraphs, folded, rewritten by the rules."""
    return spelling_key(fold(name.lower().translate(_DIGRAPHS)))


def on_partial_date(a: "PersonKey", b: "PersonKey") -> bool:
    """Whether a match of these two persons rests on a partial or placeholder date."""
    return is_partial_iso(a.born) or is_partial_iso(b.born)


def _dates(a: str, b: str) -> str | None:
    if a == b:
        return "same"
    ya, ma, da = a.split("-")
    yb, mb, db = b.split("-")
    if ya == yb and ma == db and da == mb:
        return "swapped"
    return None


def name_ratio(a: str, b: str) -> float:
    """How alike two names are (0 to 100): in any order of their words (given and family name
    swapped), or as written. Sorting the words alone misplaces a word whose first letter
    differs (zhanna/janna sort to either end), so a one-letter slip scored like a stranger."""
    return max(fuzz.token_sort_ratio(a, b), fuzz.ratio(a, b))


def similarity(a: PersonKey, b: PersonKey) -> float:
    """Points for two persons that are probably the same; 0 when not (or when exactly equal)."""
    if a == b:
        return 0.0
    dates = _dates(a.born, b.born)
    if dates is None:
        return 0.0
    name_a, name_b = a.folded, b.folded
    ratio = max(name_ratio(name_a, name_b), name_ratio(a.spelling, b.spelling))
    words_a, words_b = set(name_a.split()), set(name_b.split())
    if min(len(words_a), len(words_b)) >= 2 and (words_a <= words_b or words_b <= words_a):
        ratio = max(ratio, NEAR)  # a missing middle name
    band = "near" if ratio >= NEAR else "close" if ratio >= CLOSE else None
    if band is None:
        return 0.0
    return (SAME_DATE if dates == "same" else SWAPPED_DATE)[band]


def candidates(names: Sequence[str]) -> set[tuple[int, int]]:
    """Index pairs (i < j) of these names that `similarity` may find alike, found in C: a
    relink compares only these, so they must hold every pair the incremental path, which
    compares all, would link.

    Two scorers: the plain ratio (`name_ratio` as written), and the token-set ratio, which
    meets a missing middle name and is never below the token-sort ratio of names without a
    repeated word (tests/linking/test_persons.py checks); a name repeating a word (van ...
    van) is scored by the token-sort ratio as well."""
    if len(names) < _MATRIX_FROM:
        return _candidates_by_name(names)
    # One score matrix per scorer: at a million signals a birth-date block holds about 65
    # persons, and a call per name cost twice the matrix.
    hits = np.zeros((len(names), len(names)), dtype=bool)
    for scorer in (fuzz.token_set_ratio, fuzz.ratio):
        hits |= process.cdist(names, names, scorer=scorer, score_cutoff=CLOSE, dtype=np.float32) > 0
    repeating = [i for i, name in enumerate(names) if _repeats_a_word(name)]
    if repeating:
        hits[repeating] |= (
            process.cdist(
                [names[i] for i in repeating],
                names,
                scorer=fuzz.token_sort_ratio,
                score_cutoff=CLOSE,
                dtype=np.float32,
            )
            > 0
        )
    first, second = np.nonzero(np.triu(hits | hits.T, 1))
    return set(zip(first.tolist(), second.tolist(), strict=True))


# Below this many names a call per name is faster than a matrix (measured: 2 names 0.007 ms
# against 0.023 ms, 18 names 0.22 against 0.13 ms).
_MATRIX_FROM = 10


def _repeats_a_word(name: str) -> bool:
    words = name.split()
    return len(set(words)) < len(words)


def _candidates_by_name(names: Sequence[str]) -> set[tuple[int, int]]:
    """`candidates` with one rapidfuzz call per name and scorer."""
    return {
        (min(i, j), max(i, j)) for i, name in enumerate(names) for j in alike(name, names) if i != j
    }


def alike(name: str, names: Sequence[str]) -> set[int]:
    """Indexes of the `names` that `similarity` may find alike to `name` (itself included):
    the pairs `candidates` holds for one name, found in C, so a person new to a block is
    compared only with these. The scorers are symmetric; the token-sort ratio is asked where
    either name repeats a word."""
    found: set[int] = set()
    for scorer in (fuzz.token_set_ratio, fuzz.ratio):
        found.update(_scored(name, names, scorer))
    if _repeats_a_word(name):
        found.update(_scored(name, names, fuzz.token_sort_ratio))
    else:
        repeating = [j for j, other in enumerate(names) if _repeats_a_word(other)]
        if repeating:
            picked = [names[j] for j in repeating]
            found.update(repeating[k] for k in _scored(name, picked, fuzz.token_sort_ratio))
    return found


def _scored(name: str, names: Sequence[str], scorer: Any) -> list[int]:
    hits = process.extract(name, names, scorer=scorer, score_cutoff=CLOSE, limit=None)
    return [j for _, _, j in hits]


def document_parts(value: str) -> tuple[str, str]:
    """From the stored document match value "country|kind|number": (country|kind, number)."""
    scope, _, number = value.rpartition("|")
    return scope, number


def near_documents(a: str, b: str) -> bool:
    """Two document match values of the same kind and country, numbers one edit apart once
    read as a scanner may have (O/0, I/1, B/8, S/5), and not the same number."""
    scope_a, number_a = document_parts(a)
    scope_b, number_b = document_parts(b)
    if scope_a != scope_b or number_a == number_b:
        return False
    if min(len(number_a), len(number_b)) < DOCUMENT_MIN_LENGTH:
        return False
    return DamerauLevenshtein.distance(ocr_key(number_a), ocr_key(number_b), score_cutoff=1) <= 1
