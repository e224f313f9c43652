"""A synthetic population at scale (10k to 1M signals) with planted cases, to measure linking.

`hub.demo.synthetic` writes a few hand-made cases for the demo; this module makes many, with
the noise real registrations have, so that a linker's precision and recall can be measured
against known truth:

- Dutch names from Faker's nl_NL provider (tussenvoegsels included: "de Boer", "van der
  Meer"), written differently by different clerks: case and spacing, typos, given and family
  name swapped, a birth date with day and month swapped, or no birth date at all;
- identifiers in their usual format variants (IBAN with and without spaces, 06-... and
  +31 6 ..., postcode with and without its space, plates with and without dashes), all valid
  (IBAN check digits, Dutch postcodes and plate side codes, real mobile number plans);
- hub values that tempt false links: an employment agency's address on about 2% of the
  signals, an agency's landline on 1%, a shelter's address and a briefadres on 0.5% each;
- the traps of issue 18 (`hub.demo.traps`, rates in `Traps`): very common names with a
  placeholder birth date on about 8% of the unrelated signals, so strangers share name and
  birth date; one person's Ukrainian, Bulgarian or Polish name romanised differently across a
  planted case's signals; OCR slips in document numbers copied into a case's later signals.

Each planted case is a few signals from different agencies, so on different barriers, that
share identifiers the way the same people, phones and accounts turn up in several files.
Values are unique unless shared on purpose: each is derived from a serial number through a
bijection, so no noise signal links to another by accident and nothing needs remembering.

Pure and streaming: a layout (who is in which case, who carries which hub value) is drawn
first from ``random.Random(seed)``; each signal is then made on demand from its own seeded
stream, so a million bodies are never held at once. The same seed, size and ``now`` give the
same population.
"""

import random
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from faker.providers.person.nl_NL import Provider as DutchNames

from hub.demo.synthetic import (
    _NL_BANKS,
    _NL_PLATE_SIDE_CODES,
    _PLATE_LETTERS,
    _POSTCODE_LETTERS,
    _POSTCODES,
    _STREETS,
    _UNUSED_POSTCODE_PAIRS,
    _WEIGHTS,
    POSTING_AGENCIES,
    _document_variant,
    _iban,
    _iban_variant,
    _name_variant,
    _Phone,
    _phone_variant,
    _Plate,
    _plate_variant,
    _postcode_variant,
    _typo,
)
from hub.demo.synthetic import _city as city_of
from hub.demo.synthetic import _fold as fold
from hub.demo.traps import (
    COMMON_NAMES,
    STYLES,
    Traps,
    ocr_slip,
    placeholder_date,
    slavic_name,
    spelling_style,
)

__all__ = ["HUB_VALUE_RATES", "SIZES", "Population", "Traps", "generate"]

SIZES = (10_000, 100_000, 1_000_000)
# Share of signals in planted cases, and how big cases are (signals per case, weights).
CASE_SHARE = 0.3
CASE_SIZES = ((2, 30), (3, 30), (4, 20), (5, 12), (6, 8))
# Share of signals that carry each hub value.
HUB_VALUE_RATES = {
    "agency-address": 0.02,
    "landline": 0.01,
    "shelter": 0.005,
    "briefadres": 0.005,
}
# Share of first-hand records without a birth date (second files lose it more often).
MISSING_BIRTH_DATE = 0.05
WINDOW = timedelta(days=120)

# What each posting agency sees: barrier -> its indicators (codes of barriers/*.yaml).
AGENCY_BARRIERS: dict[str, dict[str, tuple[str, ...]]] = {
    "KMAR": {
        "entry": (
            "entry.accompanied-by-guide",
            "entry.travel-paid-by-third-party",
            "entry.smuggled-entry",
        ),
        "identity": ("identity.forged-document", "identity.look-alike-fraud"),
    },
    "IND": {
        "entry": ("entry.doubtful-mvv-application", "entry.sponsor-many-applications"),
        "identity": ("identity.no-lawful-residence", "identity.doubtful-age"),
    },
    "SZW": {
        "employment": (
            "employment.wages-below-minimum",
            "employment.excessive-hours",
            "employment.uncertified-agency",
        ),
        "finance": ("finance.many-workers-one-account", "finance.payroll-mismatch"),
    },
    "POLITIE": {
        "employment": ("employment.debt-bondage", "employment.online-escort-ads"),
        "finance": ("finance.proceeds-handed-over", "finance.bank-cards-held-by-third-party"),
    },
    "GM0363": {
        "accommodation": (
            "accommodation.overcrowded-address",
            "accommodation.frequent-re-registration",
            "accommodation.briefadres",
        ),
    },
    "GM0599": {
        "accommodation": (
            "accommodation.overcrowded-address",
            "accommodation.not-living-at-registered-address",
            "accommodation.briefadres",
        ),
    },
}
NOISE_SHARE = {"POLITIE": 24, "SZW": 22, "KMAR": 14, "IND": 14, "GM0363": 14, "GM0599": 12}
# The identifiers an agency's signals typically hold besides persons.
AGENCY_IDENTIFIERS = {
    "KMAR": ("document", "phone", "vehicle"),
    "IND": ("document", "address", "email"),
    "SZW": ("company", "iban", "address"),
    "POLITIE": ("phone", "vehicle", "iban"),
    "GM0363": ("address", "company"),
    "GM0599": ("address", "company"),
}
NATIONALITIES = ("NL", "NL", "NL", "RO", "PL", "BG", "UA")
HUB_VALUES = tuple(HUB_VALUE_RATES)


def _names() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Faker's Dutch given names and family names; "Bourgondië, van" read as "van Bourgondië"."""
    family = []
    for name in DutchNames.last_names:
        core, comma, prefix = name.partition(", ")
        family.append(f"{prefix} {core}" if comma else name)
    return tuple(DutchNames.first_names_female), tuple(DutchNames.first_names_male), tuple(family)


FEMALE, MALE, FAMILY = _names()


# --- unique values from serial numbers ------------------------------------------------------------


def _scramble(serial: int, space: int, salt: int) -> int:
    """A bijection of range(space): distinct serials give distinct, random-looking values."""
    if not 0 <= serial < space:
        raise ValueError("ran out of unique values; the population is too large")
    multiplier = 6_364_136_223_846_793_005 % space
    while _gcd(multiplier, space) != 1:
        multiplier += 1
    return (serial * multiplier + salt) % space


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


_PAIRS = tuple(
    a + b
    for a in _POSTCODE_LETTERS
    for b in _POSTCODE_LETTERS
    if a + b not in _UNUSED_POSTCODE_PAIRS
)
_HOUSES = 300  # house numbers per postcode
_MUNICIPALITIES = tuple(sorted(_POSTCODES))
_CAPACITY = tuple((_POSTCODES[m][1] - _POSTCODES[m][0] + 1) * len(_PAIRS) for m in _MUNICIPALITIES)


@dataclass(frozen=True)
class _Address:
    postcode: str  # "1012AB"
    number: int
    addition: str | None
    street: str
    city: str


def _address(serial: int, salt: int) -> _Address:
    """A unique Dutch address (postcode, house number) anywhere the generator knows postcodes."""
    value = _scramble(serial, sum(_CAPACITY) * _HOUSES, salt)
    slot, number = divmod(value, _HOUSES)
    for municipality, capacity in zip(_MUNICIPALITIES, _CAPACITY, strict=True):
        if slot < capacity:
            digits, pair = divmod(slot, len(_PAIRS))
            postcode = f"{_POSTCODES[municipality][0] + digits}{_PAIRS[pair]}"
            addition = ("A", "B", "1", "2", "H")[number % 5] if number % 7 == 0 else None
            street = _STREETS[(slot + number) % len(_STREETS)]
            return _Address(postcode, number + 1, addition, street, city_of(municipality))
        slot -= capacity
    raise AssertionError("unreachable")  # pragma: no cover


def _nl_iban(serial: int, salt: int) -> str:
    """A unique Dutch IBAN whose account passes the old 11-proof, as most real ones do."""
    for attempt in range(20):
        digits = f"{_scramble(serial + attempt * 50_000_000, 10**9, salt):09d}"
        check = -sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check < 10:
            bank = _NL_BANKS[serial % len(_NL_BANKS)]
            bank = "ABNA" if bank == "INGB" else bank  # ING accounts have another shape
            return _iban("NL", bank + digits + str(check))
    raise AssertionError("no account passed the 11-proof")  # pragma: no cover


def _mobile(serial: int, salt: int) -> _Phone:
    """A unique Dutch mobile number (06-1 to 06-5, the ranges handed out)."""
    block, rest = divmod(_scramble(serial, 5 * 10**7, salt), 10**7)
    return _Phone("31", f"6{block + 1}{rest:07d}", (1, 8))


def _kvk(serial: int, salt: int) -> str:
    return str(10_000_000 + _scramble(serial, 90_000_000, salt))


def _plate(serial: int, salt: int) -> _Plate:
    """A unique Dutch plate in one of the side codes in use for new cars."""
    pattern = _NL_PLATE_SIDE_CODES[serial % len(_NL_PLATE_SIDE_CODES)]
    letters, digits = pattern.count("X"), pattern.count("9")
    space = len(_PLATE_LETTERS) ** letters * 10**digits
    value = _scramble(serial // len(_NL_PLATE_SIDE_CODES), space, salt)
    out = []
    for c in reversed(pattern):
        if c == "X":
            value, i = divmod(value, len(_PLATE_LETTERS))
            out.append(_PLATE_LETTERS[i])
        elif c == "9":
            value, i = divmod(value, 10)
            out.append(str(i))
        else:
            out.append(c)
    return _Plate("NL", "".join(reversed(out)))


def _passport(serial: int, salt: int) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    number = _scramble(serial, 23 * 23 * 10**7, salt)
    rest, second = divmod(number, 23)
    digits, first = divmod(rest, 23)
    return f"{letters[first]}{letters[second]}{digits:07d}"


# --- people ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    given: str
    family: str
    born: date
    nationality: str
    # A transliterated name: (given, family) in each romanisation style; style 0 is the above.
    spellings: tuple[tuple[str, ...], tuple[str, ...]] | None = None

    @property
    def name(self) -> str:
        return f"{self.given} {self.family}"


def _person(rng: random.Random, today: date) -> _Person:
    given = rng.choice(FEMALE if rng.random() < 0.5 else MALE)
    born = today - timedelta(days=rng.randint(18 * 365, 60 * 365))
    return _Person(given, rng.choice(FAMILY), born, rng.choice(NATIONALITIES))


def _common_person(rng: random.Random) -> _Person:
    """A stranger with one of the commonest names of a nationality and a placeholder date."""
    nationality = rng.choice(NATIONALITIES)
    given, family = rng.choice(COMMON_NAMES[nationality]).split(" ", 1)
    return _Person(given, family, placeholder_date(rng), nationality)


def _slavic_person(rng: random.Random, today: date) -> _Person:
    nationality, given, family = slavic_name(rng)
    born = today - timedelta(days=rng.randint(18 * 365, 60 * 365))
    return _Person(given[0], family[0], born, nationality, (given, family))


def _person_subject(rng: random.Random, p: _Person, *, noisy: bool, role: str) -> dict[str, Any]:
    """The person as one clerk writes it; `noisy` adds the slips a second file shows."""
    name, born = p.name, p.born
    subject: dict[str, Any] = {"type": "person", "role": role}
    if noisy:
        form = rng.choices(("clean", "typo", "swapped", "both"), (50, 25, 18, 7))[0]
        given, family = p.given, p.family
        if p.spellings is not None:
            # The romanisation is this file's slip; a typo on top would be a second one.
            style = spelling_style(rng, len(STYLES[p.nationality]))
            given, family = p.spellings[0][style], p.spellings[1][style]
            form = {"typo": "clean", "both": "swapped"}.get(form, form)
        name = f"{given} {family}"
        if form in ("swapped", "both"):
            name = f"{family} {given}"
        if form in ("typo", "both"):
            name = _typo(rng, name)
        when = rng.choices(("same", "swapped", "missing"), (78, 10, 12))[0]
        if when == "swapped" and born.day <= 12 and born.day != born.month:
            born = date(born.year, born.day, born.month)
        elif when == "missing":
            subject["name"] = _name_variant(rng, name)
            return _nationality(rng, subject, p)
    subject["name"] = _name_variant(rng, name)
    if noisy or rng.random() >= MISSING_BIRTH_DATE:
        subject["birth_date"] = born.isoformat()
    return _nationality(rng, subject, p)


def _nationality(rng: random.Random, subject: dict[str, Any], p: _Person) -> dict[str, Any]:
    if rng.random() < 0.7:
        subject["nationality"] = p.nationality
    return subject


# --- subjects -------------------------------------------------------------------------------------


def _address_subject(rng: random.Random, a: _Address) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "type": "address",
        "postcode": _postcode_variant(rng, a.postcode),
        "house_number": a.number,
    }
    if a.addition is not None:
        subject["addition"] = rng.choice((a.addition, a.addition.lower()))
    if rng.random() < 0.6:
        subject["street"] = a.street
    if rng.random() < 0.7:
        subject["city"] = a.city
    return subject


def _company_subject(rng: random.Random, kvk: str, name: str) -> dict[str, Any]:
    subject: dict[str, Any] = {"type": "company", "kvk_number": kvk}
    if rng.random() < 0.7:
        subject["name"] = rng.choice((name, name.upper()))
    return subject


def _email(person: _Person, serial: int) -> str:
    folded = fold(person.name.lower())
    local = "".join(c for c in folded if c.isascii() and (c.isalnum() or c == " ")).replace(
        " ", "."
    )
    return f"{local or 'x'}.{serial:x}@mail.example"


class _Values:
    """Values for one owner (a noise signal or a planted case), unique across owners."""

    def __init__(self, serial: int, seed: int) -> None:
        self.serial, self.salt = serial, seed * 7_919

    def address(self) -> _Address:
        return _address(self.serial, self.salt)

    def iban(self) -> str:
        return _nl_iban(self.serial, self.salt)

    def phone(self) -> _Phone:
        return _mobile(self.serial, self.salt)

    def kvk(self) -> str:
        return _kvk(self.serial, self.salt)

    def plate(self) -> _Plate:
        return _plate(self.serial, self.salt)

    def document(self, country: str, offset: int = 0) -> dict[str, Any]:
        number = _passport(self.serial * 4 + offset, self.salt)
        return {"type": "document", "kind": "passport", "number": number, "country": country}


def _rendered(
    rng: random.Random, kind: str, value: Any, person: _Person, *, slip: bool = False
) -> dict[str, Any]:
    """One identifier as a subject, in one of its format variants; `slip` misreads one
    character of a document number, as a scanner does."""
    if kind == "address":
        return _address_subject(rng, value)
    if kind == "iban":
        return {"type": "iban", "number": _iban_variant(rng, value)}
    if kind == "phone":
        return {"type": "phone", "number": _phone_variant(rng, value)}
    if kind == "vehicle":
        return {"type": "vehicle", "country": "NL", "plate": _plate_variant(rng, value)}
    if kind == "company":
        return _company_subject(rng, value[0], value[1])
    if kind == "email":
        return {"type": "email", "address": rng.choice((value, value.upper()))}
    if kind == "document":
        return {
            "type": "document",
            "kind": value["kind"],
            "number": _document_variant(
                rng, ocr_slip(rng, value["number"]) if slip else value["number"]
            ),
            "issuing_country": value["country"],
        }
    raise ValueError(kind)


def _identifier(values: _Values, kind: str, person: _Person, offset: int = 0) -> Any:
    if kind == "address":
        return values.address()
    if kind == "iban":
        return values.iban()
    if kind == "phone":
        return values.phone()
    if kind == "vehicle":
        return values.plate()
    if kind == "company":
        return (values.kvk(), f"{person.family.split()[-1]} Uitzendservice B.V.")
    if kind == "email":
        return _email(person, values.serial)
    if kind == "document":
        return values.document(person.nationality, offset)
    raise ValueError(kind)


# --- the population -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _HubValueSubjects:
    agency_address: _Address
    landline: str
    shelter: _Address
    briefadres: _Address

    def subject(self, rng: random.Random, kind: str) -> dict[str, Any]:
        if kind == "landline":
            return {"type": "phone", "number": rng.choice((self.landline, "+31 20 555 0100"))}
        place = {
            "agency-address": self.agency_address,
            "shelter": self.shelter,
            "briefadres": self.briefadres,
        }[kind]
        return _address_subject(rng, place)


@dataclass(frozen=True)
class Population:
    """The layout of a synthetic population; `signals()` makes the bodies on demand.

    `cases` are the planted clusters (the ground truth), as sets of external references;
    `hub_values` says how many signals carry each hub value; `trapped` how many unrelated
    signals carry a common name with a placeholder date ("common-name") and how many cases
    spell their main person in several romanisations ("transliterated")."""

    size: int
    seed: int
    now: datetime
    cases: tuple[frozenset[str], ...]
    hub_values: dict[str, int]
    traps: Traps
    trapped: dict[str, int]
    _agency: bytes
    _case: Sequence[int]
    _member: bytes
    _hub: bytes
    _common: bytes
    _transliterated: frozenset[int]

    def external_ref(self, position: int) -> str:
        return f"POP-{POSTING_AGENCIES[self._agency[position]]}-{position:07d}"

    def signals(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(posting agency, body valid for SignalCreate) for every signal, in a fixed order."""
        today = self.now.date()
        # Hub values are numbered after the cases' values (cases take fewer than `size`).
        places = [_Values(2 * self.size + k, self.seed).address() for k in range(3)]
        hubs = _HubValueSubjects(places[0], "020-5550100", places[1], places[2])
        for position in range(self.size):
            agency = POSTING_AGENCIES[self._agency[position]]
            rng = random.Random(f"{self.seed}:signal:{position}")  # noqa: S311 - not security
            case = self._case[position]
            if case >= 0:
                subjects = self._case_member(rng, case, self._member[position], today)
            else:
                subjects = self._noise(rng, position, agency, today)
            hub = self._hub[position]
            if hub:
                subjects.append(hubs.subject(rng, HUB_VALUES[hub - 1]))
            yield agency, self._body(rng, position, agency, subjects)

    def _body(
        self, rng: random.Random, position: int, agency: str, subjects: list[dict[str, Any]]
    ) -> dict[str, Any]:
        barriers = AGENCY_BARRIERS[agency]
        chosen = rng.sample(sorted(barriers), 2 if len(barriers) > 1 and rng.random() < 0.3 else 1)
        indicators = [i for b in chosen for i in rng.sample(barriers[b], rng.randint(1, 2))]
        when = (
            self.now - WINDOW + timedelta(minutes=rng.randrange(int(WINDOW.total_seconds()) // 60))
        )
        if agency.startswith("GM"):
            municipality = agency
        else:
            codes = _MUNICIPALITIES
            municipality = rng.choices(codes, [_WEIGHTS.get(c, 1) for c in codes])[0]
        return {
            "external_ref": self.external_ref(position),
            "barriers": chosen,
            "indicators": indicators,
            "observed_at": min(when, self.now - timedelta(minutes=5)).isoformat(),
            "municipality": municipality,
            "reliability": rng.choice("ABC"),
            "credibility": rng.choice("123"),
            "subjects": subjects,
        }

    def _noise(
        self, rng: random.Random, position: int, agency: str, today: date
    ) -> list[dict[str, Any]]:
        values = _Values(position, self.seed)
        subjects = []
        people = [_person(rng, today) for _ in range(rng.choices((0, 1, 2), (10, 65, 25))[0])]
        for p in people:
            subjects.append(_person_subject(rng, p, noisy=False, role="other"))
        if self._common[position]:
            # Its own stream, so the rest of the signal is the same with the trap off.
            common = _common_person(random.Random(f"{self.seed}:common:{position}"))  # noqa: S311
            name = _name_variant(rng, common.name)
            placeholder = {"type": "person", "role": "other", "name": name}
            placeholder["birth_date"] = common.born.isoformat()
            subjects[:1] = [_nationality(rng, placeholder, common)]
            people[:1] = [common]
        anchor = people[0] if people else _person(rng, today)
        kinds = AGENCY_IDENTIFIERS[agency]
        for kind in rng.sample(kinds, rng.randint(1, len(kinds))):
            value = _identifier(values, kind, anchor)
            subjects.append(_rendered(rng, kind, value, anchor))
        return subjects

    def _case_member(
        self, rng: random.Random, case: int, member: int, today: date
    ) -> list[dict[str, Any]]:
        """A member of a planted case: the case's people and identifiers, as this agency has
        them. Member 0 holds them all cleanly; the others a selection, with noise."""
        plan = _CasePlan.of(self.seed, case, self.size, today, case in self._transliterated)
        if member == 0:
            subjects = [
                _person_subject(rng, p, noisy=False, role=r)
                for p, r in zip(plan.people, plan.roles, strict=True)
            ]
            subjects += [_rendered(rng, k, v, plan.people[0]) for k, v in plan.shared]
            return subjects
        subjects = []
        # Each later member holds the main person or one of the shared identifiers (or both),
        # so it is connected to member 0 by at least one value, however noisily written.
        with_person = rng.random() < 0.75 or not plan.shared
        if with_person:
            who = plan.people[0] if rng.random() < 0.7 else rng.choice(plan.people)
            subjects.append(_person_subject(rng, who, noisy=True, role="victim"))
        if plan.shared and (not with_person or rng.random() < 0.6):
            for kind, value in rng.sample(plan.shared, rng.randint(1, min(2, len(plan.shared)))):
                slip = kind == "document" and rng.random() < self.traps.ocr_slip_rate
                subjects.append(_rendered(rng, kind, value, plan.people[0], slip=slip))
        return subjects


@dataclass(frozen=True)
class _CasePlan:
    people: tuple[_Person, ...]
    roles: tuple[str, ...]
    shared: list[tuple[str, Any]]

    @classmethod
    def of(cls, seed: int, case: int, size: int, today: date, transliterated: bool) -> "_CasePlan":
        """The case's people and identifiers, the same for every member (its own stream)."""
        rng = random.Random(f"{seed}:case:{case}")  # noqa: S311 - not security
        people = tuple(_person(rng, today) for _ in range(rng.choices((1, 2, 3), (50, 35, 15))[0]))
        if transliterated:
            spelling = random.Random(f"{seed}:spelling:{case}")  # noqa: S311 - not security
            people = (_slavic_person(spelling, today), *people[1:])
        roles = ("victim", *(rng.choice(("victim", "suspect")) for _ in people[1:]))
        # Case values are numbered after the noise signals' (whose serial is their position).
        values = _Values(size + case, seed)
        kinds = ("phone", "iban", "address", "company", "vehicle", "email", "document")
        chosen = rng.sample(kinds, rng.choices((1, 2, 3), (40, 40, 20))[0])
        return cls(people, roles, [(k, _identifier(values, k, people[0])) for k in chosen])


def generate(
    size: int, *, seed: int = 2026, now: datetime | None = None, traps: Traps | None = None
) -> Population:
    """Lay out a population of `size` signals; deterministic for (size, seed, now, traps).

    Without `now` the clock is the start of the current UTC day, so calls on one day agree;
    without `traps` the default rates of `Traps` apply (`Traps.none()` switches them off)."""
    traps = Traps() if traps is None else traps
    if size < 100:
        raise ValueError("a population needs at least 100 signals")
    if now is None:
        now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    elif now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    order = list(range(size))
    rng.shuffle(order)
    agency = bytearray(size)
    case_of = array("i", [-1]) * size
    member_of = bytearray(size)
    cases: list[frozenset[str]] = []
    sizes, weights = zip(*CASE_SIZES, strict=True)
    taken, target = 0, int(size * CASE_SHARE)
    posting = range(len(POSTING_AGENCIES))
    while taken < target:
        n = min(rng.choices(sizes, weights)[0], size - taken)
        if n < 2:
            break
        agencies = rng.sample(posting, n)
        positions = order[taken : taken + n]
        for member, (position, code) in enumerate(zip(positions, agencies, strict=True)):
            agency[position], case_of[position], member_of[position] = code, len(cases), member
        cases.append(frozenset())  # filled in below, once agencies are known
        taken += n
    shares = [NOISE_SHARE[c] for c in POSTING_AGENCIES]
    for position in order[taken:]:
        agency[position] = rng.choices(posting, shares)[0]
    hub = bytearray(size)
    counts = dict.fromkeys(HUB_VALUES, 0)
    bounds = []
    total = 0.0
    for kind in HUB_VALUES:
        total += HUB_VALUE_RATES[kind]
        bounds.append(total)
    for position in range(size):
        draw = rng.random()
        for index, bound in enumerate(bounds):
            if draw < bound:
                hub[position] = index + 1
                counts[HUB_VALUES[index]] += 1
                break
    # The traps have a stream of their own, so the layout above is the same with them off.
    trap_rng = random.Random(f"{seed}:traps")  # noqa: S311 - synthetic data, not security
    common = bytearray(size)
    for position in order[taken:]:
        common[position] = trap_rng.random() < traps.common_name_rate
    transliterated = frozenset(
        case for case in range(len(cases)) if trap_rng.random() < traps.transliteration_rate
    )
    trapped = {"common-name": sum(common), "transliterated": len(transliterated)}
    population = Population(
        size,
        seed,
        now,
        (),
        counts,
        traps,
        trapped,
        bytes(agency),
        case_of,
        bytes(member_of),
        bytes(hub),
        bytes(common),
        transliterated,
    )
    members: list[list[str]] = [[] for _ in cases]
    for position in order[:taken]:
        members[case_of[position]].append(population.external_ref(position))
    object.__setattr__(population, "cases", tuple(frozenset(m) for m in members))
    return population
