"""What counts as evidence that two signals belong together (pure).

Two signals are linked by the match keys they share (blind-index tokens of the keys that
`hub.signals.subjects.identifier_keys` makes). Each key type has a base weight, in points of
log2 odds in the Fellegi-Sunter manner: a shared passport number is near-proof, a shared address
is a hint. A value carried by many signals says less, as Splink's term-frequency adjustment and
nomenklatura's capped logarithmic credit have it: each doubling of the number of parties that
carry a value costs one point (signals already linked to each other are one party, `parties`),
and past a per-type cap of signals the value stops linking altogether (and is listed for
analysts, who can lift the cap by excluding or accepting it). Ten workers at one address is
evidence; a 400-bed hotel's address is not.

Per pair, each key type counts once (its best shared value), so ten shared addresses of one
building do not add up to a passport. A pair is linked when its points reach LINK_THRESHOLD.

Ambiguity (issue 18) adds four rules, each below with its reason:
- a person match resting on a partial or placeholder birth date, or on the same name without
  one (`NAME_ONLY`), links only beside an agreeing document, phone, IBAN or address
  (`PARTIAL_DATE_TYPES`, `CORROBORATING_TYPES`);
- a person's credit falls with how common the name is in the hub (`name_penalty`);
- contradicting evidence counts against a pair and vetoes a person-only link (`CONFLICT_WEIGHT`);
- names are compared across alphabets and spellings (`spelling_key`), document numbers across
  scanner slips (`ocr_key`).
Everything is decided over blind-index tokens: what needs the plaintext (is the date partial,
which year bucket, which OCR form) is derived at ingest and stored as its own keyed token.
"""

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

# Base points when exactly two signals share the value.
BASE_WEIGHT: Mapping[str, float] = {
    "document": 12.0,
    "bsn": 12.0,
    "iban": 10.0,
    "email": 9.0,
    "person": 9.0,  # normalised name + birth date
    # The same on a partial or placeholder date (1 January, 1 July): thousands of people share
    # it, so it is worth less, and it never links alone (see PARTIAL_DATE_TYPES).
    "person-partial": 6.0,
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
    "person-partial": 25,
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
# The same on a partial birth date: it needs corroboration like an exact partial match.
SIMILAR_PERSON_PARTIAL = "person-similar-partial"
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


# --- partial and placeholder birth dates ---------------------------------------------------------

# (month, day) that registries write when only the year is known: immigration and police
# systems register 1 January, some 1 July (mid-year). Issue 18's data joined twenty people on a
# common name and 1 January; a real 1 January birthday is rare next to the placeholders.
PLACEHOLDER_DAYS = frozenset({(1, 1), (7, 1)})
# The same name, exactly, where one person (or both) has no birth date at all: the most partial
# date there is. Found through the name's token (a fact key), so only for names no more than
# COMMON_NAME_FROM signals hold: a common name without a date is no evidence. Worth less than a
# name with a placeholder date, and like it never alone (PARTIAL_DATE_TYPES): nothing can link
# a bare name without linking strangers of that name, but the same name at an agreeing address
# is one person. (Bare names are half the planted recall the synthetic population loses; the
# few beside an address, 0.003 of it, this recovers: bench/recall_misses.py.)
NAME_ONLY = "name-only"
NAME_ONLY_WEIGHT = 3.0
# Person matches whose birth date is partial, or missing: a name and a placeholder date say
# "the same common name, born some year", which is not the same person.
PARTIAL_DATE_TYPES = frozenset({"person-partial", SIMILAR_PERSON_PARTIAL, NAME_ONLY})
# What may corroborate such a match: a second identifier of the person or their life, agreeing
# (issue 18's list). An e-mail, BSN or vehicle links alone anyway; the rule only decides
# whether the partial person match adds its points.
CORROBORATING_TYPES = frozenset({"document", SIMILAR_DOCUMENT, "phone", "iban", "address"})


def is_partial_date(year: int, month: int | None, day: int | None) -> bool:
    """A birth date fixing less than a day: a year alone, month or day 00, or a placeholder."""
    if not month or not day:
        return True
    return (month, day) in PLACEHOLDER_DAYS


def is_partial_iso(born: str) -> bool:
    """`is_partial_date` of a stored "YYYY-MM-DD" (or "YYYY", "YYYY-MM")."""
    parts = [int(p) for p in born.split("-") if p.isdigit()]
    year, month, day = [*parts, 0, 0, 0][:3]
    return is_partial_date(year, month, day)


# --- how common a name is ------------------------------------------------------------------------

# A name (without its date) carried by up to this many signals costs nothing: eight people of
# one name in a hub is what a unique name looks like after a few years of signals.
COMMON_NAME_FROM = 8
# Counting stops here, and the penalty with it (log2(512 / 8) = 6 points: a person match of a
# name that common never links alone, whatever its date). Fixed so incremental and relink agree.
NAME_COUNT_CAP = 512
# Person evidence whose credit the name's frequency lowers (a bare name stops at
# COMMON_NAME_FROM instead: it has no date to make a common name rarer).
NAMED_PERSON_TYPES = frozenset({"person", "person-partial", SIMILAR_PERSON, SIMILAR_PERSON_PARTIAL})


def name_penalty(name_carriers: int) -> float:
    """Points a person match loses for its name: one per doubling past COMMON_NAME_FROM.

    With `credit`'s one point per doubling of the name+date, a common name with a date shared
    by twenty signals (issue 18: 9 - 3.3 - 1.3) no longer reaches LINK_THRESHOLD alone."""
    carriers = min(name_carriers, NAME_COUNT_CAP)
    return max(0.0, math.log2(carriers / COMMON_NAME_FROM)) if carriers > 0 else 0.0


def person_credit(key_type: str, carriers: int, name_carriers: int) -> float:
    """`credit` of a person value, less its name's `name_penalty` (never below 0)."""
    return max(0.0, credit(key_type, carriers) - name_penalty(name_carriers))


# --- contradicting evidence ----------------------------------------------------------------------

# Points against a pair. A different BSN is as strong against as a shared one is for; two
# documents of one kind and country with clearly different numbers, and birth years apart
# beyond typing noise, nearly so (a renewed passport has a new number, hence not -12);
# nationalities can be dual or mis-recorded, so they count least: a shared phone still links.
CONFLICT_WEIGHT: Mapping[str, float] = {
    "bsn-conflict": -12.0,
    "document-conflict": -8.0,
    "birth-year-conflict": -8.0,
    "nationality-conflict": -3.0,
}
# A pair whose only positive evidence is one of these is vetoed by any conflict: the name and
# date are what a conflict most often shows to be two people's.
PERSON_ONLY_TYPES = NAMED_PERSON_TYPES | {NAME_ONLY}
# Evidence a conflict never takes points from: the same identity document or BSN is the same
# person whatever else differs (a typo in a date, a second nationality).
CONFLICT_PROOF_TYPES = frozenset({"document", "bsn", SIMILAR_DOCUMENT})
# Birth years are compared through two grids of ERA_WIDTH-year buckets, offset by half a width,
# stored as tokens at ingest: years at most 2 apart (a digit slip, a year guessed) always share
# a bucket, years 6 or more apart never do. Only "no bucket shared" (3 or more apart) counts.
ERA_WIDTH = 6


def birth_eras(year: int) -> tuple[str, str]:
    """The year's bucket in each of the two grids (stored as the birth-era keys)."""
    return str(year // ERA_WIDTH), str((year + ERA_WIDTH // 2) // ERA_WIDTH)


@dataclass(frozen=True)
class PersonFacts:
    """One person subject as tokens: what can contradict another person of the same name."""

    bsn: frozenset[str] = frozenset()
    nationality: frozenset[str] = frozenset()
    eras: frozenset[str] = frozenset()


def person_conflicts(a: PersonFacts, b: PersonFacts) -> list[str]:
    """The conflict types between two persons taken to be the same (by name or name and date)."""
    found = []
    if a.bsn and b.bsn and not a.bsn & b.bsn:
        found.append("bsn-conflict")
    if a.nationality and b.nationality and not a.nationality & b.nationality:
        found.append("nationality-conflict")
    if a.eras and b.eras and not a.eras & b.eras:
        found.append("birth-year-conflict")
    return found


# Document kinds a person holds one valid number of per issuing country, so that two different
# numbers of one kind say "two people". A visa is left out (a traveller holds many, each with its
# own number), and so is "other": two "other" documents of a country may be a tax number and a
# membership card, so they are not known to be of the same kind (FEBRL4's social-security
# numbers, posted as "other", were replaced outright in 4% of its duplicates).
CONFLICTING_DOCUMENT_KINDS = frozenset(
    {"passport", "id-card", "residence-permit", "driving-licence", "travel-document"}
)


def document_conflict(a: Mapping[str, frozenset[str]], b: Mapping[str, frozenset[str]]) -> bool:
    """Two signals each holding exactly one document of a kind and country (scope token ->
    its documents' OCR-folded number tokens) whose numbers differ beyond a scanner's slip.

    One each: a signal with two passports of one country may be about two people."""
    for scope in a.keys() & b.keys():
        if len(a[scope]) == 1 and len(b[scope]) == 1 and not a[scope] & b[scope]:
            return True
    return False


# --- spelling across alphabets and scanners --------------------------------------------------

# Letters with a háček or an accent that anyascii would flatten to one letter, where the
# English romanisation writes two: Ševčenko must meet Shevchenko before the rules below run.
DIACRITIC_DIGRAPHS: Mapping[str, str] = {
    "š": "sh", "č": "ch", "ž": "zh", "ś": "sh", "ć": "ch", "ź": "zh", "ż": "zh", "ł": "l",
}  # fmt: skip
# German, French, Polish and Bulgarian spellings of the same Slavic sounds, rewritten to one
# form, longest first (Schewtschenko, Chevtchenko, Szewczenko, Ševčenko, Shevchenko all give
# "xevxenko"; Gueorguieva and Georgieva "georgieva"). ш, ч and ж all become "x": French writes
# ш "ch", English writes ч "ch", German writes ж "sch", so only merging them makes them meet.
# A key, not a spelling: it only decides which names in one birth-date block compare as one.
SPELLING_RULES: tuple[tuple[str, str], ...] = (
    ("schtsch", "xx"),  # German щ
    ("shch", "xx"),  # English щ (Russian, Ukrainian)
    ("sht", "xx"),  # Bulgarian щ
    ("szcz", "xx"),  # Polish щ
    ("tsch", "x"),  # German ч
    ("tch", "x"),  # French ч
    ("sch", "x"),  # German ш
    ("sz", "x"),  # Polish ш
    ("cz", "x"),  # Polish ч
    ("ch", "x"),  # English ч, French ш
    ("sh", "x"),  # English ш
    ("zh", "x"),  # English ж (German writes it sch: Zhukov, Schukow)
    ("rz", "x"),  # Polish ж
    ("ts", "c"),  # English and French ц (ISO 9 and Polish write c: Tsvetkov, Cvetkov)
    ("gue", "ge"),  # French g before e, i (Cyrillic ge)
    ("gui", "gi"),
    ("ou", "u"),  # French u (Cyrillic u)
    ("w", "v"),  # German and Polish в
    ("kh", "h"),  # Cyrillic kha
    ("ff", "v"),  # French and old German -off, -ow
    ("y", "i"),  # й, ы, ь romanised as y or i
    # й, я, ю, є as j in ISO 9, German and Polish (Julija, Jaroszenko beside Yuliia, Yaroshenko);
    # French writes ж as j (Jivko, Zhivko): one letter of difference the comparison allows.
    ("j", "i"),
)


def spelling_key(folded: str) -> str:
    """A folded (ASCII, lower-case) name rewritten by SPELLING_RULES, to compare spellings."""
    out = folded
    for written, sound in SPELLING_RULES:
        out = out.replace(written, sound)
    return out


# Letters a scanner (OCR of a machine-readable zone) reads for digits and back: the four
# pairs issue 18 found in the data. More (Z/2, G/6) would merge more true differences too.
OCR_CONFUSIONS: Mapping[str, str] = {"O": "0", "I": "1", "B": "8", "S": "5"}


def ocr_key(number: str) -> str:
    """A document number with the letters scanners confuse with digits read as those digits."""
    return "".join(OCR_CONFUSIONS.get(c, c) for c in number.upper())


def credit(key_type: str, carriers: int) -> float:
    """Points for a value of `key_type` carried by `carriers` signals (0 past the cap)."""
    base = BASE_WEIGHT.get(key_type)
    if base is None or carriers < 2 or carriers > FREQUENCY_CAP[key_type]:
        return 0.0
    return max(0.0, base - math.log2(carriers / 2))


# --- parties, not signals ----------------------------------------------------------------------


def parties(carriers: Iterable[Hashable], party_of: Mapping[Hashable, Hashable]) -> int:
    """How many parties carry a value: carriers the other evidence links to each other count
    once (`party_of`: carrier -> its linked group), a carrier in no group on its own.

    `credit` counts these, not the signals (never more than the signals, and at least two).
    What a shared value proves depends on how many *others* share it (Fellegi-Sunter's
    u-probability), and five signals of one case at its own address are one party there, not
    five: counted as signals, the case's address lost a point per doubling of the case's own
    files, so a sixth file naming only that address never joined it (0.021 of the 0.089 planted
    B-cubed recall the synthetic population lost, bench/recall_misses.py). Strangers are
    parties each, so an address two unrelated signals share links as before, and three
    strangers at one address still do not."""
    return len({party_of.get(c, c) for c in carriers})


def over_cap(key_type: str, carriers: int) -> bool:
    return key_type in FREQUENCY_CAP and carriers > FREQUENCY_CAP[key_type]


@dataclass(frozen=True)
class Evidence:
    """One shared value: its type, its token (never the value itself) and the points it gave."""

    key_type: str
    token: str
    points: float


def pair_weight(shared: Iterable[Evidence]) -> tuple[float, list[Evidence]]:
    """The pair's points: per key type the best shared value, a partial-date person match only
    where corroborated, conflicts against (a veto on person-only evidence); and the evidence
    that counted (negative parts beside the positive ones)."""
    best: dict[str, Evidence] = {}
    for evidence in shared:
        known = best.get(evidence.key_type)
        if known is None or (evidence.points, evidence.token) > (known.points, known.token):
            best[evidence.key_type] = evidence
    positive = {t for t, e in best.items() if t not in CONFLICT_WEIGHT and e.points > 0}
    if not positive & CORROBORATING_TYPES:
        # Shown with 0 points: the explanation says the partial date was not enough.
        for kind in PARTIAL_DATE_TYPES & best.keys():
            best[kind] = Evidence(kind, best[kind].token, 0.0)
    counted = sorted(best.values(), key=lambda e: (-e.points, e.key_type))
    conflicts = best.keys() & CONFLICT_WEIGHT.keys()
    if conflicts and positive and positive <= PERSON_ONLY_TYPES:
        return 0.0, counted  # vetoed: a name and date against a contradicting identifier
    # A conflict says two persons differ: it takes back what the name, the date and the places
    # gave, never what a shared identity document or BSN gave (a slip in a birth year must not
    # undo a shared passport number; a father and son of one name at one address stay apart).
    kept = sum(e.points for e in counted if e.key_type in CONFLICT_PROOF_TYPES)
    rest = sum(e.points for e in counted if e.key_type not in CONFLICT_PROOF_TYPES)
    return round(kept + max(0.0, rest), 6), counted


def conflict(kind: str) -> Evidence:
    """The evidence against a pair of one conflict type (no token: nothing is shown of it)."""
    return Evidence(kind, "", CONFLICT_WEIGHT[kind])
