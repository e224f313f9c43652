"""Synthetic signals for the demo and the tests: planted clusters (the ground truth) among noise.

There is no public trafficking data, so ``generate()`` invents it. It plants clusters of signals
from several agencies that span several barriers and are linked by shared identifiers, written
the way different agencies write them (``NL91 ABNA ...`` vs ``nl91abna...``, ``06-...`` vs
``+31 6 ...``, ``1012ab`` vs ``1012 AB``), plus the odd typo in a name as fuzzier evidence that
does not normalise equal. Around them it spreads noise: unrelated signals whose identifiers do
not repeat, except for the traps real data has (a large employment agency's seat, a shelter's
briefadres, a big apartment block), which link unrelated people weakly.

Pure: stdlib ``random.Random(seed)`` only, no FastAPI or SQLAlchemy. The same seed and ``now``
give the same data. Every person, company, account and number is invented; IBANs carry valid
check digits, BSNs pass the 11-test, phone numbers and licence plates use real number plans,
and web and e-mail domains end in the reserved ``.example``.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from hub.agencies.regions import name_of, region_of
from hub.barriers.vocabulary import BARRIER_ORDER, Vocabulary, load_vocabulary
from hub.paths import document_dir

__all__ = [
    "DEMO_AGENCIES",
    "POSTING_AGENCIES",
    "WINDOW",
    "DemoData",
    "PlantedCluster",
    "Trap",
    "generate",
]

# National agencies have no region; RIECs and municipalities have theirs.
DEMO_AGENCIES: tuple[dict[str, str | None], ...] = (
    {
        "code": "EMM",
        "name": "Expertisecentrum Mensenhandel en Mensensmokkel",
        "kind": "emm",
        "region": None,
    },
    {
        "code": "LIEC",
        "name": "Landelijk Informatie- en Expertisecentrum",
        "kind": "liec",
        "region": None,
    },
    {
        "code": "RIEC-AA",
        "name": "RIEC Amsterdam-Amstelland",
        "kind": "riec",
        "region": "amsterdam-amstelland",
    },
    {"code": "RIEC-RR", "name": "RIEC Rotterdam", "kind": "riec", "region": "rotterdam"},
    {"code": "KMAR", "name": "Koninklijke Marechaussee", "kind": "kmar", "region": None},
    {"code": "IND", "name": "Immigratie- en Naturalisatiedienst", "kind": "ind", "region": None},
    {"code": "SZW", "name": "Nederlandse Arbeidsinspectie", "kind": "szw", "region": None},
    {"code": "POLITIE", "name": "Nationale Politie", "kind": "police", "region": None},
    {
        "code": "GM0363",
        "name": "Gemeente Amsterdam",
        "kind": "municipality",
        "region": "amsterdam-amstelland",
    },
    {"code": "GM0599", "name": "Gemeente Rotterdam", "kind": "municipality", "region": "rotterdam"},
)
# EMM, the RIECs and LIEC analyse what the others post; they post nothing themselves.
POSTING_AGENCIES: tuple[str, ...] = ("KMAR", "IND", "SZW", "POLITIE", "GM0363", "GM0599")

# Every signal is observed within this window before `now`: eight weeks, so that the trend
# report's weekly series and yesterday's report and digests all hold demo data.
WINDOW = timedelta(weeks=8)
_TZ = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class PlantedCluster:
    """One planted case: the signals that belong together and the identifier types linking them.

    ``shared`` names identifier-key types (as ``identifier_keys`` returns them: ``iban``,
    ``phone``, ``address``, ``person``, ``bsn``, ``kvk``, ``company-name``, ``vehicle``,
    ``document``, ``email``, ``website``) that at least two members share after normalisation.
    """

    name: str
    agencies: tuple[str, ...]
    barriers: tuple[str, ...]
    external_refs: tuple[tuple[str, str], ...]
    shared: tuple[str, ...]


@dataclass(frozen=True)
class Trap:
    """A common identifier shared by unrelated signals: weak evidence a linker must not trust.

    ``kind`` is ``agency-seat``, ``briefadres`` or ``apartment-block``; ``external_refs`` lists
    every signal that carries it (noise, and now and then a planted signal).
    """

    name: str
    kind: str
    shared: tuple[str, ...]
    external_refs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DemoData:
    """Signal bodies per posting agency (as ``POST /signals`` takes them) and the ground truth."""

    signals: dict[str, list[dict[str, Any]]]
    clusters: tuple[PlantedCluster, ...]
    traps: tuple[Trap, ...] = ()


# --- invented people -------------------------------------------------------------------------

# (female given names, male given names, family names). Common names, combined at random with a
# birth date: no real person is meant.
_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "RO": (
        ("Andreea", "Elena", "Ioana", "Mădălina", "Alexandra", "Mihaela", "Roxana", "Georgiana"),
        ("Ion", "Andrei", "Mihai", "Florin", "Adrian", "Constantin", "Marius", "Răzvan"),
        (
            "Popescu",
            "Ionescu",
            "Dumitru",
            "Stoica",
            "Munteanu",
            "Rusu",
            "Lungu",
            "Moldovan",
            "Dobre",
            "Știrbu",
            "Țurcanu",
            "Ene",
        ),
    ),
    "BG": (
        ("Desislava", "Gergana", "Mariya", "Petya", "Ralitsa", "Tsvetelina", "Yordanka"),
        ("Georgi", "Dimitar", "Ivan", "Nikolay", "Stoyan", "Hristo", "Plamen", "Kiril"),
        (
            "Ivanov",
            "Georgiev",
            "Dimitrov",
            "Petrov",
            "Nikolov",
            "Stoyanov",
            "Todorov",
            "Kolev",
            "Angelov",
            "Yankov",
        ),
    ),
    "PL": (
        ("Agnieszka", "Katarzyna", "Magdalena", "Joanna", "Monika", "Małgorzata"),
        ("Piotr", "Krzysztof", "Tomasz", "Marcin", "Paweł", "Łukasz", "Grzegorz"),
        (
            "Nowak",
            "Kowalczyk",
            "Wiśniewski",
            "Wójcik",
            "Kamiński",
            "Lewandowski",
            "Zieliński",
            "Szymański",
            "Dąbrowski",
            "Mazur",
        ),
    ),
    "NG": (
        ("Blessing", "Joy", "Precious", "Favour", "Gift", "Esther", "Osas", "Peace"),
        ("Osagie", "Emeka", "Chinedu", "Tunde", "Efosa", "Ikenna", "Uyi"),
        (
            "Okafor",
            "Eze",
            "Adeyemi",
            "Igbinedion",
            "Obi",
            "Okonkwo",
            "Omoregie",
            "Aigbe",
            "Ehigiator",
            "Nwosu",
        ),
    ),
    "UA": (
        ("Olena", "Iryna", "Oksana", "Tetiana", "Nataliia", "Yuliia", "Kateryna"),
        ("Oleksandr", "Andrii", "Serhii", "Dmytro", "Volodymyr", "Mykola", "Bohdan"),
        (
            "Kovalenko",
            "Shevchenko",
            "Bondarenko",
            "Tkachenko",
            "Kravchenko",
            "Melnyk",
            "Boiko",
            "Moroz",
            "Lysenko",
            "Savchenko",
        ),
    ),
    "VN": (
        ("Thi Lan", "Thi Huong", "Thi Mai", "Ngoc Anh", "Thu Trang", "Thi Hoa", "Thi Linh"),
        ("Van Hung", "Van Minh", "Duc Anh", "Quang Huy", "Van Long", "Minh Tuan", "Van Nam"),
        ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui", "Do"),
    ),
    "CN": (
        ("Fang", "Na", "Xiuying", "Jing", "Min", "Yan", "Lei", "Hui"),
        ("Wei", "Qiang", "Jun", "Yong", "Jie", "Tao", "Hao"),
        ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu"),
    ),
    "BR": (
        ("Ana Clara", "Juliana", "Fernanda", "Camila", "Larissa", "Bruna", "Letícia"),
        ("João", "Lucas", "Rafael", "Thiago", "Gabriel", "Mateus"),
        (
            "Silva",
            "Santos",
            "Oliveira",
            "Souza",
            "Pereira",
            "Costa",
            "Ferreira",
            "Almeida",
            "Conceição",
            "Araújo",
        ),
    ),
    "NL": (
        ("Sanne", "Lisa", "Demi", "Kim", "Fleur", "Romy", "Naomi", "Esmée"),
        ("Jeroen", "Kevin", "Dennis", "Mark", "Bas", "Stefan", "Mohamed", "Ricardo"),
        (
            "de Vries",
            "Jansen",
            "Bakker",
            "Visser",
            "Smit",
            "Meijer",
            "de Boer",
            "Mulder",
            "van Dijk",
            "Bos",
            "Vermeulen",
            "El Amrani",
        ),
    ),
}
_FAMILY_NAME_FIRST = frozenset({"VN", "CN"})
_ADJECTIVE = {
    "RO": "Romanian",
    "BG": "Bulgarian",
    "PL": "Polish",
    "NG": "Nigerian",
    "UA": "Ukrainian",
    "VN": "Vietnamese",
    "CN": "Chinese",
    "BR": "Brazilian",
    "NL": "Dutch",
}
# Nationalities of noise subjects, roughly as often as they occur in Dutch THB reports.
_NOISE_NATIONALITIES = ("NL", "NL", "RO", "RO", "BG", "PL", "PL", "NG", "UA", "VN", "CN", "BR")

# CBS municipality code -> (first, last) four-digit postcode of the municipality (approximate).
_POSTCODES: dict[str, tuple[int, int]] = {
    "GM0358": (1431, 1433),
    "GM0362": (1181, 1189),
    "GM0363": (1011, 1109),
    "GM0384": (1111, 1112),
    "GM0437": (1191, 1191),
    "GM0451": (1421, 1424),
    "GM0392": (2011, 2037),
    "GM0394": (2131, 2153),
    "GM0479": (1501, 1566),
    "GM0361": (1811, 1834),
    "GM0344": (3511, 3585),
    "GM0307": (3811, 3829),
    "GM0202": (6811, 6846),
    "GM0268": (6511, 6546),
    "GM0193": (8011, 8047),
    "GM0153": (7511, 7548),
    "GM0014": (9711, 9747),
    "GM0080": (8911, 8941),
    "GM0935": (6211, 6229),
    "GM0983": (5911, 5928),
    "GM0917": (6411, 6419),
    "GM0758": (4811, 4839),
    "GM0855": (5011, 5049),
    "GM0772": (5611, 5658),
    "GM0796": (5211, 5249),
    "GM0599": (3011, 3089),
    "GM0606": (3111, 3125),
    "GM0622": (3131, 3138),
    "GM0505": (3311, 3329),
    "GM0518": (2491, 2597),
    "GM0546": (2311, 2334),
    "GM0503": (2611, 2629),
    "GM1783": (2671, 2695),
}
_CITY = {"GM0518": "Den Haag", "GM0796": "'s-Hertogenbosch"}
_POSTCODE_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"
_UNUSED_POSTCODE_PAIRS = frozenset({"SA", "SD", "SS"})
_STREETS = (
    "Kerkstraat",
    "Dorpsstraat",
    "Molenweg",
    "Industrieweg",
    "Havenstraat",
    "Stationsweg",
    "Schoolstraat",
    "Nieuwstraat",
    "Julianastraat",
    "Wilhelminastraat",
    "Parallelweg",
    "Beatrixlaan",
    "Lindelaan",
    "Kastanjelaan",
    "Vlietweg",
    "Dijkstraat",
    "Marktstraat",
    "Sluisweg",
    "Zuiderkade",
    "Westersingel",
    "Oosterpark",
    "Bloemgracht",
    "Koppelweg",
)
# Weights for where national agencies' noise signals happen: the big cities and the Westland
# greenhouses more often than elsewhere.
_WEIGHTS = {
    "GM0363": 8,
    "GM0599": 7,
    "GM0518": 5,
    "GM0344": 4,
    "GM1783": 3,
    "GM0772": 3,
    "GM0394": 2,
    "GM0855": 2,
}
# KMar's posts: Schiphol above all, the regional airports, and mobile checks at the borders.
_KMAR_POSTS: dict[str, tuple[str, int]] = {
    "GM0394": ("Schiphol", 10),
    "GM0599": ("Rotterdam The Hague Airport", 2),
    "GM0772": ("Eindhoven Airport", 2),
    "GM0983": ("the A67 near Venlo", 1),
    "GM0758": ("the A16 near Breda", 1),
    "GM0917": ("the A76 near Heerlen", 1),
    "GM0153": ("the A1 near Enschede", 1),
}

_AIRPORTS = frozenset({"GM0394", "GM0599", "GM0772"})
_NL_BANKS = ("ABNA", "INGB", "RABO", "SNSB", "TRIO", "BUNQ", "KNAB", "ASNB", "RBRB")
_PLATE_LETTERS = "BDFGHJKLNPRSTVXZ"
_NL_PLATE_SIDE_CODES = ("99-XXX-9", "9-XXX-99", "XX-999-X", "X-999-XX", "XXX-99-X", "9-XX-999")
_MAIL_DOMAINS = ("mailbox.example", "postvak.example", "webmail.example", "inbox.example")
_AD_SITES = (
    "escort-ads.example",
    "citygirls.example",
    "privehuis-online.example",
    "kinky-dates.example",
    "massage-ads.example",
)
_PASSPORT_LETTER = {"NG": "A", "CN": "E", "VN": "C"}
_TRANSLIT = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "đ": "d", "ß": "ss"})


def _fold(text: str) -> str:
    """Drop diacritics, the way a form without them spells a name."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _iban(country: str, bban: str) -> str:
    """An IBAN with correct ISO 13616 (mod-97) check digits."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


@dataclass(frozen=True)
class _Person:
    name: str
    birth_date: date
    nationality: str
    sex: str
    bsn: str | None = None

    @property
    def given(self) -> str:
        parts = self.name.split(" ")
        return parts[-1] if self.nationality in _FAMILY_NAME_FIRST else parts[0]


@dataclass(frozen=True)
class _Address:
    postcode: str  # "1012AB"
    house_number: int
    addition: str | None
    street: str
    city: str


@dataclass(frozen=True)
class _Company:
    name: str
    kvk: str


@dataclass(frozen=True)
class _Phone:
    country_code: str
    national: str  # without trunk prefix: "612345678"
    groups: tuple[int, ...]

    @property
    def e164(self) -> str:
        return f"+{self.country_code}{self.national}"


@dataclass(frozen=True)
class _Plate:
    country: str
    text: str  # as printed: "12-BDF-3", "CA 1234 AB"


@dataclass(frozen=True)
class _Document:
    kind: str
    number: str
    country: str


class _Forge:
    """Invents identifiers and never hands out the same one twice.

    Uniqueness across the whole data set is what keeps noise from linking by accident: only
    planted clusters and the deliberate traps share identifiers.
    """

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self._used: set[tuple[str, str]] = set()

    def _fresh(self, kind: str, make: Callable[[], str]) -> str:
        for _ in range(200):
            value = make()
            if (kind, value) not in self._used:
                self._used.add((kind, value))
                return value
        raise RuntimeError(f"ran out of fresh {kind} values")  # pragma: no cover

    def _digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def person(
        self,
        nationality: str,
        *,
        sex: str | None = None,
        age: tuple[int, int] = (19, 50),
        bsn: bool = False,
    ) -> _Person:
        rng = self.rng
        sex = sex or rng.choice("fm")
        female, male, family_names = _NAMES[nationality]
        birth_holder: list[date] = []

        def make() -> str:
            given = rng.choice(female if sex == "f" else male)
            family = (
                _feminine(nationality, rng.choice(family_names))
                if sex == "f"
                else rng.choice(family_names)
            )
            name = f"{family} {given}" if nationality in _FAMILY_NAME_FIRST else f"{given} {family}"
            days = rng.randint(age[0] * 365 + 30, age[1] * 365 + 300)
            birth_holder[:] = [self.today - timedelta(days=days)]
            return f"{name}|{birth_holder[0].isoformat()}"

        key = self._fresh("person", make)
        name = key.split("|", 1)[0]
        return _Person(name, birth_holder[0], nationality, sex, self.bsn() if bsn else None)

    def bsn(self) -> str:
        def make() -> str:
            while True:
                digits = [self.rng.randint(1, 6)] + [self.rng.randint(0, 9) for _ in range(7)]
                check = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
                if check < 10:  # the 11-test: weighted sum minus the last digit is 0 mod 11
                    return "".join(map(str, digits)) + str(check)

        return self._fresh("bsn", make)

    def kvk(self) -> str:
        return self._fresh("kvk", lambda: str(self.rng.randint(10_000_000, 99_999_999)))

    def address(self, municipality: str, *, addition: bool | None = None) -> _Address:
        rng = self.rng
        low, high = _POSTCODES[municipality]
        city = _city(municipality)
        holder: list[_Address] = []

        def make() -> str:
            while True:
                letters = rng.choice(_POSTCODE_LETTERS) + rng.choice(_POSTCODE_LETTERS)
                if letters not in _UNUSED_POSTCODE_PAIRS:
                    break
            postcode = f"{rng.randint(low, high)}{letters}"
            number = rng.randint(1, 250)
            has_addition = rng.random() < 0.25 if addition is None else addition
            extra = rng.choice(("A", "B", "1", "2", "3", "H", "I", "II")) if has_addition else None
            holder[:] = [_Address(postcode, number, extra, rng.choice(_STREETS), city)]
            return f"{postcode}|{number}|{extra or ''}"

        self._fresh("address", make)
        return holder[0]

    def company(self, kind: str) -> _Company:
        rng = self.rng
        parts = _COMPANY_PARTS[kind]

        def make() -> str:
            name = parts[0].format(rng.choice(parts[1]), rng.choice(parts[2]))
            if rng.random() < 0.3:  # a place or "Groep" widens the pool of names
                stem, legal = name.removesuffix(" B.V."), " B.V." if name.endswith(" B.V.") else ""
                name = f"{stem} {rng.choice(_COMPANY_QUALIFIERS)}{legal}"
            return name

        name = self._fresh("company-name", make)
        return _Company(name, self.kvk())

    def iban(self, country: str = "NL") -> str:
        rng = self.rng

        def make() -> str:
            if country == "NL":
                bank = rng.choice(_NL_BANKS)
                return _iban("NL", bank + _nl_account(rng, bank))
            if country == "RO":
                bank = rng.choice(("BTRL", "RNCB", "BRDE", "RZBR", "CECE"))
                return _iban("RO", bank + self._digits(16))
            if country == "BG":
                bank = rng.choice(("UNCR", "BPBI", "STSA", "FINV", "UBBS"))
                return _iban("BG", bank + self._digits(4) + "10" + self._digits(8))
            if country == "PL":
                return _iban("PL", str(rng.randint(1, 9)) + self._digits(23))
            raise ValueError(f"no IBAN recipe for {country}")

        return self._fresh("iban", make)

    def phone(self, country: str = "NL") -> _Phone:
        code, prefixes, length, groups = _PHONE_PLANS[country]

        def make() -> str:
            prefix = self.rng.choice(prefixes)
            return prefix + self._digits(length - len(prefix))

        return _Phone(code, self._fresh(f"phone-{code}", make), groups)

    def plate(self, country: str = "NL") -> _Plate:
        rng = self.rng

        def make() -> str:
            if country == "BG":
                return (
                    f"{rng.choice(('CA', 'CB', 'PB', 'CT', 'BH', 'EH'))} "
                    f"{self._digits(4)} {rng.choice('ABEKMHPTX')}{rng.choice('ABEKMHPTX')}"
                )
            if country == "PL":
                return f"{rng.choice(('WPR', 'WGM', 'KR', 'PO', 'DW'))} {self._digits(5)}"
            if country == "RO":
                letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTVXZ") for _ in range(3))
                return f"{rng.choice(('B', 'CJ', 'IS', 'TM', 'BC'))} {self._digits(2)} {letters}"
            pattern = rng.choice(_NL_PLATE_SIDE_CODES)
            return "".join(
                rng.choice(_PLATE_LETTERS)
                if c == "X"
                else rng.choice("0123456789")
                if c == "9"
                else c
                for c in pattern
            )

        return _Plate(country, self._fresh(f"plate-{country}", make))

    def document(self, country: str, kind: str = "passport") -> _Document:
        rng = self.rng
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"  # no I or O, which read as digits

        def make() -> str:
            if country == "NL":
                middle = "".join(rng.choice(letters + "0123456789") for _ in range(6))
                return f"{rng.choice(letters)}{rng.choice(letters)}{middle}{rng.randint(0, 9)}"
            if country in ("RO", "BG"):
                return f"{rng.randint(1, 9)}{self._digits(8)}"
            if country in _PASSPORT_LETTER:
                return f"{_PASSPORT_LETTER[country]}{self._digits(8)}"
            return f"{rng.choice(letters)}{rng.choice(letters)}{self._digits(7)}"

        return _Document(kind, self._fresh(f"document-{country}", make), country)

    def email(self, person: _Person | None = None) -> str:
        rng = self.rng

        def make() -> str:
            if person is None:
                local = rng.choice(("info", "jobs", "contact", "werk", "visa", "booking"))
                local += self._digits(3)
            else:
                local = _fold(person.name).lower().replace(" ", rng.choice((".", "_", "")))
                local += self._digits(2)
            return f"{local}@{rng.choice(_MAIL_DOMAINS)}"

        return self._fresh("email", make)

    def website(self, city: str) -> str:
        slug = _fold(city).lower().replace("'", "").replace(" ", "-")

        def make() -> str:
            site = self.rng.choice(_AD_SITES)
            return f"https://{site}/{slug}/profile/{self.rng.randint(10_000, 999_999)}"

        return self._fresh("website", make)


# Country -> (calling code, first digits, national length, display grouping). Mobile ranges
# only, checked against the phonenumbers metadata.
_PHONE_PLANS: dict[str, tuple[str, tuple[str, ...], int, tuple[int, ...]]] = {
    "NL": ("31", ("61", "62", "63", "64", "65"), 9, (1, 8)),
    "RO": ("40", ("72", "73", "74", "75", "76", "77"), 9, (3, 3, 3)),
    "BG": ("359", ("87", "88", "89"), 9, (2, 3, 4)),
    "PL": (
        "48",
        ("50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88"),
        9,
        (3, 3, 3),
    ),
    "NG": ("234", ("803", "806", "813", "816", "703", "706", "805", "807", "815"), 10, (3, 3, 4)),
    "UA": ("380", ("50", "66", "67", "68", "63", "73", "93", "95", "96", "97"), 9, (2, 3, 2, 2)),
    "VN": ("84", ("90", "91", "93", "94", "96", "97", "98", "86", "88"), 9, (2, 3, 4)),
    "CN": ("86", ("135", "136", "137", "138", "139"), 11, (3, 4, 4)),
    "BR": ("55", ("119", "219", "319"), 11, (2, 5, 4)),
}

_COMPANY_QUALIFIERS = ("Holland", "Nederland", "Noord", "Zuid", "West", "Oost", "Groep")
# kind -> (pattern, first words, second words)
_COMPANY_PARTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "agency": (
        "{}{} B.V.",
        (
            "Snel",
            "Flex",
            "Polder",
            "Delta",
            "Euro",
            "Prima",
            "Horizon",
            "Oranje",
            "Tulp",
            "Molen",
            "Haven",
            "Kroon",
            "Baltic",
            "Karpaten",
            "Donau",
        ),
        (
            "werk Personeelsdiensten",
            "staff Uitzendbureau",
            "jobs Uitzendgroep",
            "force Staffing",
            "link Flexwerk",
            "plus Detachering",
        ),
    ),
    "salon": (
        "{} {}",
        ("Lucky", "Golden", "Queen", "Diamond", "Star", "Lotus", "Pearl", "Pink"),
        ("Nails", "Nail Studio", "Beauty Nails", "Nails & Spa"),
    ),
    "grower": (
        "Kwekerij {}{} B.V.",
        ("De Groene", "Zonne", "Het Glas", "Westland", "De Paprika"),
        ("kas", "hof", "huis", "tuin", " Teelt"),
    ),
    "hotel": (
        "Hotel {}{}",
        ("Maas", "Park", "Haven", "Station", "Kade", "Stads"),
        ("zicht", "hof", " Inn", " Central", "poort"),
    ),
    "holiday-park": (
        "Vakantiepark {}{}",
        ("De Kreek", "Duin", "Biesbosch", "Water", "Polder"),
        ("", "rand", " Resort", "rijk", " Lodges"),
    ),
    "massage": (
        "{} {}",
        ("Jade", "Lotus", "Harmony", "Oriental", "Bamboo", "Silk"),
        ("Wellness", "Massage", "Spa", "Health Center"),
    ),
    "restaurant": (
        "Restaurant {} {}",
        ("De Gouden", "Het Rode", "De Jade", "Het Keizer"),
        ("Draak", "Paleis", "Lotus", "Hof"),
    ),
    "logistics": (
        "{}{} Logistics B.V.",
        ("Trans", "Euro", "Rapid", "Cargo", "Hub"),
        ("line", "port", "way", "point", "log"),
    ),
    "cleaning": (
        "{}{} Schoonmaakdiensten B.V.",
        ("Glans", "Helder", "Proper", "Fris", "Blink"),
        ("", " Plus", " Totaal", " Service"),
    ),
    "construction": (
        "{}{} Bouw B.V.",
        ("Steen", "Beton", "Funda", "Bouw", "Dak"),
        ("vast", "sterk", "meesters", "groep", "team"),
    ),
    "carwash": (
        "Carwash {} {}",
        ("Super", "Speedy", "Shine", "Clean", "Crystal"),
        ("Express", "Center", "Plaza", "Point"),
    ),
    "meat": (
        "{}{} Vleesverwerking B.V.",
        ("Slacht", "Vlees", "Uitbeen", "Vers"),
        ("hof", "centrale", "groep", "unie"),
    ),
    "travel": (
        "{} {}",
        ("Sunrise", "Global", "Eagle", "Rainbow", "Blue Sky"),
        ("Travel & Tours", "Visa Services", "Travel Agency"),
    ),
}


def _feminine(nationality: str, family: str) -> str:
    if nationality == "BG" and family.endswith(("ov", "ev")):
        return family + "a"
    if nationality == "PL" and family.endswith(("ski", "cki")):
        return family[:-1] + "a"
    return family


def _nl_account(rng: random.Random, bank: str) -> str:
    """Ten digits; all but the former Postbank (ING) numbers pass the old 11-proof."""
    if bank == "INGB":
        return f"000{rng.randint(1_000_000, 9_999_999)}"
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
        last = -sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if last < 10:
            return "".join(map(str, digits)) + str(last)


# --- spelling variants -----------------------------------------------------------------------


def _name_variant(rng: random.Random, name: str) -> str:
    """The same name as another clerk types it: equal after case folding and space collapsing."""
    return rng.choice(
        (name, name, name.upper(), name.lower(), name.replace(" ", "  "), f" {name} ", name.title())
    )


def _typo(rng: random.Random, name: str) -> str:
    """A misspelt name that does NOT normalise to the original (fuzzy evidence only)."""
    folded = _fold(name)
    if folded != name and rng.random() < 0.5:
        return folded
    words = name.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4]
    for _ in range(20):
        index = rng.choice(candidates or [len(words) - 1])
        word = words[index]
        op = rng.choice(("swap", "double", "drop", "sound"))
        pos = rng.randint(1, len(word) - 2) if len(word) > 2 else 0
        if op == "swap":
            changed = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
        elif op == "double":
            changed = word[:pos] + word[pos] + word[pos:]
        elif op == "drop":
            changed = word[:pos] + word[pos + 1 :]
        else:
            changed = (
                word.replace("c", "k", 1)
                if "c" in word
                else word.replace("i", "y", 1)
                if "i" in word
                else word + "e"
            )
        candidate = " ".join([*words[:index], changed, *words[index + 1 :]])
        if candidate.casefold() != name.casefold():
            return candidate
    return name + "a"  # pragma: no cover


def _postcode_variant(rng: random.Random, postcode: str) -> str:
    spaced = f"{postcode[:4]} {postcode[4:]}"
    return rng.choice((spaced, spaced, postcode, postcode.lower(), spaced.lower()))


def _iban_variant(rng: random.Random, iban: str) -> str:
    grouped = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    return rng.choice((iban, grouped, grouped, iban.lower(), grouped.lower()))


def _phone_variant(rng: random.Random, phone: _Phone) -> str:
    national = phone.national
    if phone.country_code == "31":
        rest = national[1:]
        return rng.choice(
            (
                f"06-{rest}",
                f"0{national}",
                f"06 {rest[:4]} {rest[4:]}",
                f"+31 6 {rest}",
                f"+31{national}",
                f"0031 6 {rest}",
                f"+31 (0)6 {rest[:4]} {rest[4:]}",
            )
        )
    parts, start = [], 0
    for size in phone.groups:
        parts.append(national[start : start + size])
        start += size
    grouped = " ".join(parts)
    return rng.choice(
        (
            f"+{phone.country_code} {grouped}",
            f"00{phone.country_code}{national}",
            f"+{phone.country_code}{national}",
        )
    )


def _plate_variant(rng: random.Random, plate: _Plate) -> str:
    compact = plate.text.replace("-", "").replace(" ", "")
    return rng.choice((plate.text, plate.text, compact, plate.text.lower()))


def _document_variant(rng: random.Random, number: str) -> str:
    spaced = " ".join(number[i : i + 3] for i in range(0, len(number), 3))
    return rng.choice((number, number, number.lower(), spaced))


def _website_variant(rng: random.Random, url: str) -> str:
    rest = url.removeprefix("https://")
    return rng.choice((url, f"https://www.{rest}", f"http://{rest}/", f"https://{rest}/"))


# --- drafts ------------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A signal before it gets its external reference; ``tokens`` are its exact identifiers."""

    agency: str
    municipality: str
    indicators: tuple[str, ...]
    summary: str
    when: datetime
    grading: tuple[str, str]
    subjects: list[dict[str, Any]] = field(default_factory=list)
    tokens: set[tuple[str, str]] = field(default_factory=set)


# Traps: (name, kind, municipality). Unrelated signals share these on purpose: a big agency's
# seat (with its KvK number), shelters' briefadressen, and apartment blocks without flat numbers.
_TRAPS: tuple[tuple[str, str, str], ...] = (
    ("agency-seat", "agency-seat", "GM0394"),
    ("briefadres-amsterdam", "briefadres", "GM0363"),
    ("briefadres-rotterdam", "briefadres", "GM0599"),
    ("apartment-block-amsterdam", "apartment-block", "GM0363"),
    ("apartment-block-rotterdam", "apartment-block", "GM0599"),
)

_GRADES: dict[str, tuple[tuple[str, ...], tuple[int, ...], tuple[str, ...], tuple[int, ...]]] = {
    # source reliability and weights, information credibility and weights
    "record": (("A", "B"), (6, 4), ("1", "2"), (5, 5)),
    "inspection": (("A", "B", "C"), (3, 6, 1), ("1", "2", "3"), (3, 5, 2)),
    "report": (("B", "C", "X"), (5, 3, 2), ("2", "3", "4"), (4, 4, 2)),
    "tip": (("C", "X"), (4, 6), ("3", "4"), (5, 5)),
}


class _Gen:
    """Shared state of one generation run: the random stream, the forge and the clock."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.forge = _Forge(rng, now.astimezone(_TZ).date())
        self._traps = {name: self.forge.address(where, addition=False) for name, _, where in _TRAPS}
        self.big_agency = self.forge.company("agency")
        self.trap_tokens: dict[str, set[tuple[str, str]]] = {
            name: {("address", f"{a.postcode}|{a.house_number}|")}
            for name, a in self._traps.items()
        }
        self.trap_tokens["agency-seat"] |= {
            ("kvk", self.big_agency.kvk),
            ("company-name", self.big_agency.name),
        }

    # traps
    def trap(self, name: str) -> _Address:
        return self._traps[name]

    @staticmethod
    def shelter_for(municipality: str) -> str | None:
        """The shelter whose briefadres people in this municipality's region may share."""
        return {
            "amsterdam-amstelland": "briefadres-amsterdam",
            "rotterdam": "briefadres-rotterdam",
        }.get(region_of(municipality) or "")

    @staticmethod
    def block_for(municipality: str) -> str | None:
        return {"GM0363": "apartment-block-amsterdam", "GM0599": "apartment-block-rotterdam"}.get(
            municipality
        )

    # time
    def cluster_start(self) -> int:
        """Days before today on which a planted case starts; it then runs for up to ~6 weeks."""
        return self.rng.randint(20, WINDOW.days - 2)

    def at(self, start: int, days: int = 42) -> datetime:
        # Not today: a case still running shows up in yesterday's report and digests.
        return self._daytime(max(start - self.rng.randint(0, days), 1))

    def noise_time(self) -> datetime:
        return self._daytime(self.rng.randint(1, WINDOW.days - 1))

    def _daytime(self, days_ago: int) -> datetime:
        """A local time between 07:00 and 23:00, ``days_ago`` days before today, not after now."""
        day = self.now.astimezone(_TZ).date() - timedelta(days=max(days_ago, 0))
        minutes = self.rng.randint(7 * 60, 22 * 60 + 59)
        when = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=_TZ)
        return min(when, (self.now - timedelta(minutes=10)).replace(second=0, microsecond=0))

    def grade(self, kind: str) -> tuple[str, str]:
        reliabilities, rw, credibilities, cw = _GRADES[kind]
        return (self.rng.choices(reliabilities, rw)[0], self.rng.choices(credibilities, cw)[0])

    def draft(
        self,
        agency: str,
        municipality: str,
        indicators: Sequence[str],
        summary: str,
        *,
        when: datetime,
        grade: str,
    ) -> _Draft:
        return _Draft(agency, municipality, tuple(indicators), summary, when, self.grade(grade))

    # subjects
    def person(
        self,
        d: _Draft,
        p: _Person,
        *,
        role: str | None,
        form: str = "variant",
        birth: bool = True,
        bsn: bool = False,
        nationality: bool = True,
    ) -> None:
        """Add a person; ``form``: ``exact``, ``variant`` (equal once normalised) or ``typo``."""
        name = {
            "exact": p.name,
            "variant": _name_variant(self.rng, p.name),
            "typo": _typo(self.rng, p.name),
        }[form]
        subject: dict[str, Any] = {"type": "person", "name": name}
        if birth:
            subject["birth_date"] = p.birth_date.isoformat()
            if form != "typo":
                self._token(d, "person", f"{p.name}|{p.birth_date.isoformat()}")
        if nationality:
            subject["nationality"] = p.nationality
        if bsn and p.bsn is not None:
            subject["bsn"] = (
                p.bsn if self.rng.random() < 0.7 else f"{p.bsn[:4]}.{p.bsn[4:6]}.{p.bsn[6:]}"
            )
            self._token(d, "bsn", p.bsn)
        if role is not None:
            subject["role"] = role
        d.subjects.append(subject)

    def address(self, d: _Draft, a: _Address) -> None:
        subject: dict[str, Any] = {
            "type": "address",
            "postcode": _postcode_variant(self.rng, a.postcode),
            "house_number": a.house_number,
        }
        if a.addition is not None:
            subject["addition"] = self.rng.choice((a.addition, a.addition.lower()))
        if self.rng.random() < 0.6:
            subject["street"] = a.street
        if self.rng.random() < 0.7:
            subject["city"] = a.city
        subject["country"] = "NL"
        self._token(d, "address", f"{a.postcode}|{a.house_number}|{a.addition or ''}")
        d.subjects.append(subject)

    def company(self, d: _Draft, c: _Company, *, kvk: bool = True, name: str = "variant") -> None:
        """``name`` is ``variant`` (same after case folding), ``alt`` (legal form spelt
        differently, so only the KvK number matches) or ``none``."""
        subject: dict[str, Any] = {"type": "company"}
        if name == "variant":
            subject["name"] = self.rng.choice((c.name, c.name, c.name.upper()))
            self._token(d, "company-name", c.name)
        elif name == "alt":
            alt = c.name.replace(" B.V.", " BV") if c.name.endswith(" B.V.") else c.name + " B.V."
            subject["name"] = alt
        if kvk:
            subject["kvk_number"] = c.kvk
            self._token(d, "kvk", c.kvk)
        d.subjects.append(subject)

    def iban(self, d: _Draft, iban: str) -> None:
        d.subjects.append({"type": "iban", "number": _iban_variant(self.rng, iban)})
        self._token(d, "iban", iban)

    def phone(self, d: _Draft, phone: _Phone) -> None:
        d.subjects.append({"type": "phone", "number": _phone_variant(self.rng, phone)})
        self._token(d, "phone", phone.e164)

    def vehicle(self, d: _Draft, plate: _Plate) -> None:
        d.subjects.append(
            {"type": "vehicle", "country": plate.country, "plate": _plate_variant(self.rng, plate)}
        )
        self._token(d, "vehicle", f"{plate.country}|{plate.text}")

    def document(self, d: _Draft, doc: _Document) -> None:
        d.subjects.append(
            {
                "type": "document",
                "kind": doc.kind,
                "number": _document_variant(self.rng, doc.number),
                "issuing_country": doc.country,
            }
        )
        self._token(d, "document", f"{doc.country}|{doc.kind}|{doc.number}")

    def email(self, d: _Draft, address: str) -> None:
        local, domain = address.split("@")
        shown = self.rng.choice((address, address, f"{local.title()}@{domain.title()}"))
        d.subjects.append({"type": "email", "address": shown})
        self._token(d, "email", address)

    def website(self, d: _Draft, url: str) -> None:
        d.subjects.append({"type": "website", "url": _website_variant(self.rng, url)})
        self._token(d, "website", url)

    @staticmethod
    def _token(d: _Draft, kind: str, value: str) -> None:
        d.tokens.add((kind, value))


def _city(municipality: str) -> str:
    return _CITY.get(municipality, name_of(municipality))


# --- planted clusters --------------------------------------------------------------------------
# Each plan returns (required, optional) drafts. The required ones alone span at least two
# agencies and two barriers; every optional one shares an identifier with a required one, so
# any selection stays connected.

_Plan = tuple[list[_Draft], list[_Draft]]


def _labour_exploitation(g: _Gen) -> _Plan:
    rng, forge, start = g.rng, g.forge, g.cluster_start()
    agency = forge.company("agency")
    flat = forge.address("GM0363", addition=rng.random() < 0.5)
    account = forge.iban("NL")
    office = forge.phone("NL")
    boss = forge.person(rng.choice(("RO", "BG")), sex="m", age=(35, 55), bsn=True)
    eu = [forge.person(rng.choice(("RO", "RO", "PL", "BG")), age=(19, 45)) for _ in range(3)]
    ua = [forge.person("UA", age=(19, 45)) for _ in range(2)]
    site, site_at = rng.choice(
        (
            ("distribution centre", "GM0363"),
            ("flower auction", "GM0358"),
            ("greenhouse", "GM0358"),
            ("warehouse", "GM0451"),
            ("meal-box packing plant", "GM0363"),
        )
    )
    workers = rng.randint(9, 24)

    szw = g.draft(
        "SZW",
        site_at,
        (
            "employment.uncertified-agency",
            "employment.wages-below-minimum",
            "finance.many-workers-one-account",
        ),
        f"Inspection at a {site} in {_city(site_at)}: {workers} workers supplied by "
        f"{agency.name}, which is not SNA-certified. Hourly pay is below the statutory "
        "minimum and all wages are paid into one account.",
        when=g.at(start),
        grade="inspection",
    )
    g.company(szw, agency)
    g.iban(szw, account)
    g.address(szw, flat)
    for p in (eu[0], eu[1], ua[0]):
        g.person(szw, p, role="victim")

    gm = g.draft(
        "GM0363",
        "GM0363",
        ("accommodation.overcrowded-address", "accommodation.company-seat-address"),
        f"Housing inspection at a {rng.randint(2, 4)}-room flat: "
        f"{rng.randint(11, 19)} adults registered, mattresses in every room. The address "
        "is also the registered seat of the employment agency that houses them.",
        when=g.at(start),
        grade="inspection",
    )
    g.address(gm, flat)
    g.company(gm, agency, kvk=False)
    g.person(gm, eu[0], role="victim")
    g.person(gm, eu[2], role="victim", form="typo")

    ind = g.draft(
        "IND",
        "GM0363",
        ("entry.intermediary-many-applications", "identity.no-lawful-residence"),
        "Several Ukrainian nationals changed their address to the same flat within "
        "weeks; the same agency contact number is in each file. One no longer has "
        "lawful residence.",
        when=g.at(start),
        grade="record",
    )
    g.address(ind, flat)
    g.phone(ind, office)
    g.company(ind, agency, name="none")
    for p in ua:
        g.person(ind, p, role="victim")

    payroll = g.draft(
        "SZW",
        site_at,
        (
            "employment.fines-and-deductions",
            "accommodation.employer-provided-housing",
            "finance.wages-to-third-party-account",
        ),
        "Payroll review: rent, transport and 'fines' deducted from wages; what is "
        "left goes to an account held by the agency's director.",
        when=g.at(start),
        grade="inspection",
    )
    g.company(payroll, agency, name="alt")
    g.iban(payroll, account)
    g.person(payroll, boss, role="suspect")
    g.person(payroll, eu[1], role="victim", form=rng.choice(("variant", "typo")))

    brp = g.draft(
        "GM0363",
        "GM0363",
        ("accommodation.frequent-re-registration", "identity.bulk-bsn-requests"),
        f"BRP desk: one man registered {rng.randint(8, 15)} newly arrived workers in "
        "three weeks, all at the same flat, giving the same phone number each time.",
        when=g.at(start),
        grade="record",
    )
    g.person(brp, boss, role="facilitator", bsn=True)
    g.phone(brp, office)
    g.address(brp, flat)

    police = g.draft(
        "POLITIE",
        "GM0363",
        ("employment.debt-bondage", "finance.bank-cards-held-by-third-party"),
        "A worker reported at the front desk that the agency keeps his bank card and "
        f"says he owes {rng.randint(12, 30)}00 euro for travel and housing.",
        when=g.at(start),
        grade="report",
    )
    g.person(police, eu[2], role="victim")
    g.person(police, boss, role="suspect", birth=rng.random() < 0.5, form="typo")
    g.address(police, flat)
    return [szw, gm, ind], [payroll, brp, police]


def _sexual_exploitation(g: _Gen) -> _Plan:
    rng, forge, start = g.rng, g.forge, g.cluster_start()
    nat = rng.choice(("RO", "NG", "BR", "BG"))
    women = [forge.person(nat, sex="f", age=(19, 30)) for _ in range(4)]
    pimp = forge.person(nat, sex="m", age=(25, 45))
    ad_phone = forge.phone("NL")
    ad = forge.website("Rotterdam")
    hotel, hotel_at = forge.company("hotel"), forge.address("GM0599", addition=False)
    park, park_at = forge.company("holiday-park"), forge.address("GM0505", addition=False)
    payer = forge.iban("NL")
    car = forge.plate("NL")
    arrival = rng.choice(("GM0394", "GM0599"))
    who = _ADJECTIVE[nat]

    ads = g.draft(
        "POLITIE",
        "GM0599",
        (
            "employment.online-escort-ads",
            "employment.sex-work-outside-licensed-premises",
            "accommodation.third-party-paid-stay",
        ),
        f"Online monitoring: escort ads for two {who} women offering appointments in a "
        "Rotterdam hotel; the same contact number in every ad, the room booked by a man.",
        when=g.at(start),
        grade="report",
    )
    g.website(ads, ad)
    g.phone(ads, ad_phone)
    g.person(ads, women[0], role="victim")
    g.person(ads, women[1], role="victim", birth=False)
    g.address(ads, hotel_at)

    kmar = g.draft(
        "KMAR",
        arrival,
        (
            "entry.accompanied-by-guide",
            "entry.travel-paid-by-third-party",
            "identity.documents-held-by-third-party",
        ),
        f"Arrival check at {_KMAR_POSTS[arrival][0]}: two young {who} women travelling "
        "with a man who paid both tickets and carried their passports. He gave a "
        "Dutch mobile number.",
        when=g.at(start),
        grade="inspection",
    )
    g.person(kmar, women[0], role="victim")
    g.person(kmar, women[2], role="victim")
    g.person(kmar, pimp, role="suspect")
    g.phone(kmar, ad_phone)

    gm = g.draft(
        "GM0599",
        "GM0599",
        ("accommodation.third-party-paid-stay", "employment.sex-work-outside-licensed-premises"),
        "Hotel check by enforcement officers: two rooms rented for weeks and paid by "
        "transfer from one private account; staff see many short visits.",
        when=g.at(start),
        grade="inspection",
    )
    g.company(gm, hotel, kvk=rng.random() < 0.5)
    g.address(gm, hotel_at)
    g.iban(gm, payer)
    g.phone(gm, ad_phone)

    chalet = g.draft(
        "POLITIE",
        "GM0505",
        ("accommodation.third-party-paid-stay", "finance.proceeds-handed-over"),
        f"Report from {park.name}: a chalet rented by a man for three women; they "
        "hand him cash every morning.",
        when=g.at(start),
        grade="report",
    )
    g.company(chalet, park, kvk=False)
    g.address(chalet, park_at)
    g.person(chalet, women[1], role="victim", form="typo")
    g.person(chalet, women[2], role="victim")
    g.person(chalet, pimp, role="suspect")

    money = g.draft(
        "POLITIE",
        "GM0599",
        ("finance.spending-above-income", "finance.proceeds-handed-over"),
        "Financial check: an account holder without declared income pays for hotel "
        "stays, a holiday park and a new car.",
        when=g.at(start),
        grade="report",
    )
    g.person(money, pimp, role="suspect", form="exact")
    g.iban(money, payer)
    g.vehicle(money, car)

    flat = g.draft(
        "GM0599",
        "GM0599",
        ("accommodation.unlicensed-sex-work-address",),
        "Neighbours complain about a flat used for appointments; the number in an "
        "escort ad leads to it.",
        when=g.at(start),
        grade="tip",
    )
    g.address(flat, forge.address("GM0599"))
    g.phone(flat, ad_phone)
    g.website(flat, ad)

    second = g.draft(
        "KMAR",
        arrival,
        ("entry.accompanied-by-guide", "entry.false-job-offer"),
        f"Another arrival at {_KMAR_POSTS[arrival][0]}: a young woman says she comes "
        "to work as a cleaner; her travel companion was seen here before.",
        when=g.at(start),
        grade="inspection",
    )
    g.person(second, women[3], role="victim")
    g.person(second, pimp, role="suspect")
    g.phone(second, ad_phone)
    return [ads, kmar, gm], [chalet, money, flat, second]


def _look_alike(g: _Gen) -> _Plan:
    rng, forge, start = g.rng, g.forge, g.cluster_start()
    nat = rng.choice(("NG", "VN", "CN"))
    issuer = rng.choice(("NL", "BE", "FR", "GB"))
    passport = forge.document(issuer)
    travellers = [forge.person(nat, sex="f", age=(17, 28)) for _ in range(3)]
    guide = forge.person(nat, sex="m", age=(28, 50))
    guide_phone = forge.phone(nat)
    agency = forge.company("travel")
    mailbox = forge.email()
    second_post = rng.choice(("GM0394", "GM0599", "GM0772"))

    first = g.draft(
        "KMAR",
        "GM0394",
        ("identity.look-alike-fraud", "entry.accompanied-by-guide"),
        f"Border check at Schiphol: a young {_ADJECTIVE[nat]} woman travelling on a "
        "genuine passport of someone who resembles her; the man with her carried "
        "her boarding pass.",
        when=g.at(start),
        grade="inspection",
    )
    g.document(first, passport)
    g.person(first, travellers[0], role="victim")
    g.person(first, guide, role="suspect")
    g.phone(first, guide_phone)

    again = g.draft(
        "KMAR",
        second_post,
        ("identity.look-alike-fraud", "identity.documents-held-by-third-party"),
        f"The same passport presented again at {_KMAR_POSTS[second_post][0]} by a "
        "different woman; photo comparison shows a look-alike.",
        when=g.at(start),
        grade="inspection",
    )
    g.document(again, passport)
    g.person(again, travellers[1], role="victim")
    g.phone(again, guide_phone)

    asylum = g.draft(
        "IND",
        rng.choice(("GM0518", "GM0193", "GM0796")),
        ("entry.residence-procedure-misuse", "identity.several-identities-one-person"),
        "Asylum application: fingerprints match a woman refused at the border under "
        "another name; her contact number belongs to the man who travelled with her.",
        when=g.at(start),
        grade="record",
    )
    g.person(asylum, forge.person(nat, sex="f", age=(17, 28)), role="victim")
    g.person(asylum, travellers[0], role="victim", form="typo", birth=rng.random() < 0.5)
    g.document(asylum, passport)
    g.phone(asylum, guide_phone)

    mvv = g.draft(
        "IND",
        "GM0518",
        ("entry.doubtful-mvv-application", "entry.intermediary-many-applications"),
        f"Several MVV applications prepared by {agency.name} with the same e-mail "
        "address and contact number, each for a young woman invited by a different "
        "'host family'.",
        when=g.at(start),
        grade="record",
    )
    g.company(mvv, agency, kvk=False)
    g.email(mvv, mailbox)
    g.phone(mvv, guide_phone)
    g.person(mvv, travellers[2], role="victim")

    stop = g.draft(
        "KMAR",
        "GM0394",
        ("identity.forged-document", "entry.smuggled-entry"),
        "The man who accompanied earlier travellers was stopped with a falsified "
        "residence permit and a list of names.",
        when=g.at(start),
        grade="inspection",
    )
    g.person(stop, guide, role="suspect", form="exact")
    g.document(stop, forge.document(rng.choice(("BE", "FR", "IT")), kind="residence-permit"))
    g.email(stop, mailbox)
    return [first, again, asylum], [mvv, stop]


def _loverboy(g: _Gen) -> _Plan:
    rng, forge, start = g.rng, g.forge, g.cluster_start()
    victim = forge.person("NL", sex="f", age=(18, 22), bsn=True)
    suspect = forge.person("NL", sex="m", age=(20, 30))
    phone, car = forge.phone("NL"), forge.plate("NL")
    his_account = forge.iban("NL")
    seen_at = rng.choice(("GM0384", "GM0362"))

    youth = g.draft(
        "POLITIE",
        seen_at,
        ("employment.online-escort-ads", "finance.bank-cards-held-by-third-party"),
        "A youth worker reports a young woman advertised online; her boyfriend "
        "keeps her bank card and picks her up by car after appointments.",
        when=g.at(start),
        grade="report",
    )
    g.person(youth, victim, role="victim")
    g.person(youth, suspect, role="suspect")
    g.phone(youth, phone)
    g.vehicle(youth, car)

    social = g.draft(
        "GM0363",
        "GM0363",
        ("finance.allowances-claimed-on-behalf", "accommodation.briefadres"),
        "Social services: benefit application for a young woman with a briefadres "
        "at a shelter; payments are to go to an account in someone else's name.",
        when=g.at(start),
        grade="record",
    )
    g.person(social, victim, role="victim", bsn=True)
    g.iban(social, his_account)
    g.address(social, g.trap("briefadres-amsterdam"))

    stop = g.draft(
        "POLITIE",
        "GM0363",
        ("employment.sex-work-outside-licensed-premises", "finance.proceeds-handed-over"),
        "Traffic stop at night: the driver carries a large amount of cash, the young "
        "woman with him has a phone full of appointments.",
        when=g.at(start),
        grade="inspection",
    )
    g.vehicle(stop, car)
    g.person(stop, suspect, role="suspect")
    g.person(stop, victim, role="victim", form="typo")

    flat = g.draft(
        "GM0363",
        "GM0363",
        ("accommodation.unlicensed-sex-work-address",),
        "Neighbours report men visiting a flat at all hours; the tenant's contact "
        "number is on file.",
        when=g.at(start),
        grade="tip",
    )
    g.address(flat, forge.address("GM0363", addition=True))
    g.phone(flat, phone)

    money = g.draft(
        "POLITIE",
        rng.choice(("GM0362", "GM0363")),
        ("finance.spending-above-income",),
        "A man without income or benefits pays cash for a leased car and designer clothes.",
        when=g.at(start),
        grade="report",
    )
    g.person(money, suspect, role="suspect", form="exact")
    g.iban(money, his_account)
    g.vehicle(money, car)
    return [youth, social, stop], [flat, money]


def _nail_salons(g: _Gen) -> _Plan:
    rng, forge, start = g.rng, g.forge, g.cluster_start()
    salon = forge.company("salon")
    first_at = forge.address("GM0599")
    second_at = forge.address(rng.choice(("GM0606", "GM0622")))
    second_muni = "GM0606" if second_at.city == "Schiedam" else "GM0622"
    owner = forge.person("VN", sex="m", age=(35, 55))
    owner_phone, owner_account = forge.phone("NL"), forge.iban("NL")
    workers = [forge.person("VN", age=(15, 19)) for _ in range(3)]

    szw = g.draft(
        "SZW",
        "GM0599",
        (
            "employment.excessive-hours",
            "accommodation.sleeping-at-workplace",
            "employment.missing-work-permit",
        ),
        "Inspection at a nail salon: three young Vietnamese workers without work "
        "permits work twelve-hour days; mattresses in the back room.",
        when=g.at(start),
        grade="inspection",
    )
    g.company(szw, salon)
    g.address(szw, first_at)
    g.person(szw, workers[0], role="victim")
    g.person(szw, workers[1], role="victim")

    police = g.draft(
        "POLITIE",
        second_muni,
        ("entry.unaccompanied-minor", "identity.doubtful-age"),
        f"Check at a nail salon in {second_at.city}: a girl who says she is 18 looks "
        "much younger; she was reported missing from an asylum reception centre.",
        when=g.at(start),
        grade="inspection",
    )
    g.company(police, salon, kvk=False)
    g.address(police, second_at)
    g.person(police, workers[1], role="victim")
    g.person(police, workers[2], role="victim")
    g.phone(police, owner_phone)

    gm = g.draft(
        "GM0599",
        "GM0599",
        ("accommodation.overcrowded-address", "accommodation.company-seat-address"),
        "Flat above a nail salon: six people registered; the flat is also the company's "
        "registered seat.",
        when=g.at(start),
        grade="record",
    )
    g.address(gm, first_at)
    g.company(gm, salon, name="none")
    g.person(gm, owner, role="suspect")

    ind = g.draft(
        "IND",
        "GM0599",
        ("entry.residence-procedure-misuse",),
        "Asylum file of a Vietnamese minor who left reception after two days; the "
        "contact number given belongs to a salon owner.",
        when=g.at(start),
        grade="record",
    )
    g.person(ind, workers[2], role="victim")
    g.phone(ind, owner_phone)

    money = g.draft(
        "SZW",
        "GM0599",
        ("finance.transfers-to-origin-country", "finance.cash-after-payday"),
        "Bank statements: wages withdrawn in cash on payday; the owner sends money "
        "to Vietnam through money-transfer offices every week.",
        when=g.at(start),
        grade="inspection",
    )
    g.person(money, owner, role="suspect", form="exact")
    g.iban(money, owner_account)
    g.company(money, salon, name="alt")
    return [szw, police, gm], [ind, money]


def _bulk_registration(g: _Gen) -> _Plan:
    rng, forge, start = g.rng, g.forge, g.cluster_start()
    broker = forge.person(rng.choice(("BG", "RO")), sex="m", age=(30, 50))
    phone, mailbox = forge.phone("NL"), forge.email(broker)
    workers = [
        forge.person(rng.choice(("BG", "RO", "PL")), age=(20, 45), bsn=True) for _ in range(4)
    ]
    pool_account = forge.iban("NL")
    registered_at = forge.address("GM0363", addition=True)
    job_at = rng.choice(("GM0451", "GM0437", "GM0384"))
    site_at = rng.choice(("GM0384", "GM0362", "GM0358"))

    brp = g.draft(
        "GM0363",
        "GM0363",
        ("identity.bulk-bsn-requests", "accommodation.not-living-at-registered-address"),
        f"BRP desk: one intermediary accompanied {rng.randint(15, 30)} first "
        "registrations in a month; at the address given none of them live.",
        when=g.at(start),
        grade="record",
    )
    g.person(brp, broker, role="facilitator")
    g.phone(brp, phone)
    g.email(brp, mailbox)
    for p in workers[:3]:
        g.person(brp, p, role="victim", bsn=True)
    g.address(brp, registered_at)

    jobs = g.draft(
        "SZW",
        job_at,
        ("identity.one-identity-several-jobs", "employment.no-readable-contract"),
        "One BSN is on the payroll of three cleaning contractors at the same time; "
        "the worker has no contract in a language he reads.",
        when=g.at(start),
        grade="inspection",
    )
    g.person(jobs, workers[0], role="victim", bsn=True)
    g.iban(jobs, pool_account)
    g.phone(jobs, phone)

    site = g.draft(
        "SZW",
        site_at,
        ("identity.bulk-kvk-registrations", "finance.many-workers-one-account"),
        "Construction site: workers registered as self-employed in the same week via "
        "the same intermediary; all their invoices are paid into one account.",
        when=g.at(start),
        grade="inspection",
    )
    g.person(site, workers[1], role="victim", bsn=True)
    g.person(site, workers[3], role="victim", bsn=True)
    g.iban(site, pool_account)

    arrest = g.draft(
        "POLITIE",
        "GM0363",
        ("identity.several-identities-one-person", "finance.bank-cards-held-by-third-party"),
        "Shoplifting arrest: the man carried six bank cards in other people's names "
        "and two ID cards with his photo.",
        when=g.at(start),
        grade="inspection",
    )
    g.person(arrest, broker, role="suspect")
    g.email(arrest, mailbox)
    g.iban(arrest, pool_account)

    moved = g.draft(
        "GM0363",
        "GM0363",
        ("accommodation.frequent-re-registration",),
        "Address investigation: the same workers were registered at four addresses in five months.",
        when=g.at(start),
        grade="record",
    )
    g.person(moved, workers[2], role="victim", bsn=True)
    g.person(moved, workers[3], role="victim", form="typo", birth=True)
    g.address(moved, registered_at)
    return [brp, jobs, site], [arrest, moved]


def _greenhouse(g: _Gen) -> _Plan:
    rng, forge, start = g.rng, g.forge, g.cluster_start()
    grower = forge.company("grower")
    boss = forge.person("BG", sex="m", age=(30, 50))
    boss_phone, boss_account = forge.phone("BG"), forge.iban("BG")
    minibus = forge.plate("BG")
    workers = [*(forge.person("BG", age=(19, 50)) for _ in range(3)), forge.person("UA", sex="f")]
    house = forge.address(rng.choice(("GM0503", "GM1783")))

    szw = g.draft(
        "SZW",
        "GM1783",
        (
            "employment.employer-controlled-transport",
            "employment.debt-bondage",
            "finance.wages-to-third-party-account",
        ),
        "Inspection at a greenhouse: Bulgarian workers are driven in daily in a "
        "minibus with Bulgarian plates; their wages go to a Bulgarian account held "
        "by the driver.",
        when=g.at(start),
        grade="inspection",
    )
    g.company(szw, grower)
    g.vehicle(szw, minibus)
    g.iban(szw, boss_account)
    g.person(szw, workers[0], role="victim")
    g.person(szw, workers[1], role="victim")

    stop = g.draft(
        "POLITIE",
        "GM1783",
        ("employment.employer-controlled-transport", "entry.recruitment-debt"),
        f"Traffic check: minibus with {rng.randint(8, 11)} workers; the driver says "
        "they still owe him for the journey from Bulgaria.",
        when=g.at(start),
        grade="inspection",
    )
    g.vehicle(stop, minibus)
    g.person(stop, boss, role="suspect")
    g.phone(stop, boss_phone)
    g.person(stop, workers[2], role="victim")

    ind = g.draft(
        "IND",
        rng.choice(("GM0518", "GM1783")),
        ("entry.false-job-offer", "identity.documents-held-by-third-party"),
        "A Ukrainian woman applying under the residence scheme for victims says she "
        "was promised office work; the recruiter kept her passport and called her "
        "from this number.",
        when=g.at(start),
        grade="record",
    )
    g.person(ind, workers[3], role="victim")
    g.phone(ind, boss_phone)
    g.company(ind, grower, kvk=False)

    housing = g.draft(
        "SZW",
        "GM0503" if house.city == "Delft" else "GM1783",
        ("accommodation.employer-provided-housing", "accommodation.overcrowded-address"),
        f"Housing provided by the grower: {rng.randint(10, 16)} people in a "
        "terraced house, rent deducted from wages.",
        when=g.at(start),
        grade="inspection",
    )
    g.address(housing, house)
    g.company(housing, grower, name="none")
    g.person(housing, workers[0], role="victim", form=rng.choice(("variant", "typo")))

    cards = g.draft(
        "POLITIE",
        "GM1783",
        ("finance.bank-cards-held-by-third-party",),
        "A worker says the driver keeps the bank cards of the whole group.",
        when=g.at(start),
        grade="report",
    )
    g.person(cards, boss, role="suspect", form="typo")
    g.iban(cards, boss_account)
    return [szw, stop, ind], [housing, cards]


def _massage_sponsor(g: _Gen) -> _Plan:
    rng, forge, start = g.rng, g.forge, g.cluster_start()
    parlour = forge.company("massage")
    parlour_at = forge.address("GM0344")
    director = forge.person("CN", sex="m", age=(40, 60))
    women = [forge.person("CN", sex="f", age=(22, 40)) for _ in range(3)]
    mailbox = forge.email()
    ad = forge.website("Utrecht")
    account = forge.iban("NL")

    ind = g.draft(
        "IND",
        "GM0344",
        ("entry.sponsor-many-applications", "entry.doubtful-mvv-application"),
        f"A recognised sponsor applied for {rng.randint(7, 14)} MVVs for 'massage "
        "therapists' in six months; the salaries offered are implausibly low.",
        when=g.at(start),
        grade="record",
    )
    g.company(ind, parlour)
    g.email(ind, mailbox)
    g.person(ind, director, role="other")
    g.person(ind, women[0], role=None)
    g.person(ind, women[1], role=None)

    police = g.draft(
        "POLITIE",
        "GM0344",
        (
            "employment.sex-work-outside-licensed-premises",
            "employment.online-escort-ads",
            "accommodation.sleeping-at-workplace",
        ),
        "Massage parlour advertised online with erotic services; the women appear "
        "to live in the building.",
        when=g.at(start),
        grade="report",
    )
    g.address(police, parlour_at)
    g.website(police, ad)
    g.person(police, women[0], role="victim")
    g.person(police, women[2], role="victim", birth=False)

    szw = g.draft(
        "SZW",
        "GM0344",
        ("employment.wages-below-minimum", "finance.payroll-mismatch"),
        "Payroll shows two part-time staff; inspectors found five women at work.",
        when=g.at(start),
        grade="inspection",
    )
    g.company(szw, parlour, name="alt")
    g.address(szw, parlour_at)
    g.iban(szw, account)

    money = g.draft(
        "POLITIE",
        "GM0307",
        ("finance.proceeds-handed-over",),
        "The director collects the day's takings in cash from a second location in Amersfoort.",
        when=g.at(start),
        grade="report",
    )
    g.person(money, director, role="suspect", form="exact")
    g.iban(money, account)

    papers = g.draft(
        "IND",
        "GM0344",
        ("identity.documents-held-by-third-party",),
        "At her residence interview a woman could not show her passport: 'the boss keeps it'.",
        when=g.at(start),
        grade="record",
    )
    g.person(papers, women[1], role="victim")
    g.document(papers, forge.document("CN"))
    g.email(papers, mailbox)
    return [ind, police, szw], [money, papers]


_PLANS: tuple[tuple[str, Callable[[_Gen], _Plan]], ...] = (
    ("labour-exploitation-amsterdam", _labour_exploitation),
    ("sexual-exploitation-rotterdam", _sexual_exploitation),
    ("look-alike-document-fraud", _look_alike),
    ("loverboy-amsterdam", _loverboy),
    ("nail-salons-rotterdam", _nail_salons),
    ("bulk-registration-amsterdam", _bulk_registration),
    ("greenhouse-westland", _greenhouse),
    ("massage-sponsor-utrecht", _massage_sponsor),
)
MAX_CLUSTER_SIZE = 8


# --- traps and noise ---------------------------------------------------------------------------

_FINDINGS: dict[str, str] = {
    "entry.sponsor-many-applications": "the sponsor filed an unusual number of applications",
    "entry.intermediary-many-applications": "the same intermediary appears in many files",
    "entry.doubtful-mvv-application": "the MVV application contradicts itself",
    "entry.residence-procedure-misuse": "the residence procedure looks like a cover",
    "entry.travel-paid-by-third-party": "the ticket was paid by someone else",
    "entry.false-job-offer": "the promised job did not exist",
    "entry.accompanied-by-guide": "a companion did the talking and held the papers",
    "entry.unaccompanied-minor": "a minor was travelling alone",
    "entry.recruitment-debt": "a recruitment debt is mentioned",
    "entry.smuggled-entry": "entry was arranged by smugglers",
    "accommodation.overcrowded-address": "far more people live there than the dwelling holds",
    "accommodation.employer-provided-housing": "the employer provides housing and deducts rent",
    "accommodation.frequent-re-registration": "registered at several addresses in a few months",
    "accommodation.third-party-paid-stay": "the stay is paid by a third party",
    "accommodation.company-seat-address": "the address is also a company seat",
    "accommodation.sleeping-at-workplace": "people sleep at the workplace",
    "accommodation.briefadres": "registered at a briefadres only",
    "accommodation.not-living-at-registered-address": "nobody lives at the registered address",
    "accommodation.unlicensed-sex-work-address": "the home is used for unlicensed sex work",
    "employment.wages-below-minimum": "pay is below the statutory minimum",
    "employment.excessive-hours": "working days of twelve hours or more",
    "employment.debt-bondage": "workers are kept in debt",
    "employment.uncertified-agency": "the agency is not certified",
    "employment.no-readable-contract": "no contract in a language the worker reads",
    "employment.missing-work-permit": "no work permit (TWV)",
    "employment.employer-controlled-transport": "the employer controls all transport",
    "employment.fines-and-deductions": "fines and deductions from pay",
    "employment.sex-work-outside-licensed-premises": "sex work outside licensed premises",
    "employment.online-escort-ads": "advertised in online escort ads",
    "finance.wages-to-third-party-account": "wages go to someone else's account",
    "finance.many-workers-one-account": "several workers are paid into one account",
    "finance.cash-after-payday": "cash withdrawn right after payday",
    "finance.bank-cards-held-by-third-party": "someone else holds the bank cards",
    "finance.proceeds-handed-over": "earnings are handed over",
    "finance.transfers-to-origin-country": "regular transfers abroad via money-transfer offices",
    "finance.allowances-claimed-on-behalf": "allowances applied for on the person's behalf",
    "finance.spending-above-income": "spending does not fit declared income",
    "finance.payroll-mismatch": "payroll records do not match the people at work",
    "identity.look-alike-fraud": "a genuine document used by a look-alike",
    "identity.forged-document": "a forged or falsified document",
    "identity.documents-held-by-third-party": "the employer or a third party holds the documents",
    "identity.bulk-bsn-requests": "one intermediary requests many BSNs",
    "identity.bulk-kvk-registrations": "many self-employed registrations in a short time",
    "identity.one-identity-several-jobs": "one identity used for several jobs",
    "identity.several-identities-one-person": "one person uses several identities",
    "identity.doubtful-age": "the stated age is doubtful",
    "identity.no-lawful-residence": "no lawful residence status",
}


def _summary(opening: str, indicators: Sequence[str]) -> str:
    findings = "; ".join(_FINDINGS[code] for code in indicators)
    return f"{opening}: {findings}."


def _pick(rng: random.Random, pool: Sequence[str], most: int = 3) -> list[str]:
    return rng.sample(list(pool), rng.randint(1, min(most, len(pool))))


def _anywhere(g: _Gen) -> str:
    codes = list(_POSTCODES)
    return g.rng.choices(codes, [_WEIGHTS.get(c, 1) for c in codes])[0]


def _nationality(g: _Gen) -> str:
    return g.rng.choice(_NOISE_NATIONALITIES)


_SECTORS = (
    ("distribution centre", "logistics"),
    ("meat-processing plant", "meat"),
    ("greenhouse", "grower"),
    ("restaurant", "restaurant"),
    ("construction site", "construction"),
    ("car wash", "carwash"),
    ("cleaning contractor", "cleaning"),
    ("nail salon", "salon"),
)


def _noise_szw(g: _Gen, when: datetime) -> _Draft:
    rng, forge = g.rng, g.forge
    where = _anywhere(g)
    kind = rng.choices(("inspection", "payroll", "housing"), (6, 2, 2))[0]
    if kind == "inspection":
        sector, company_kind = rng.choice(_SECTORS)
        if sector == "greenhouse":
            where = rng.choice(("GM1783", "GM1783", "GM0358", "GM0983", "GM0394"))
        indicators = _pick(
            rng,
            (
                "employment.wages-below-minimum",
                "employment.excessive-hours",
                "employment.missing-work-permit",
                "employment.no-readable-contract",
                "employment.fines-and-deductions",
                "employment.uncertified-agency",
                "accommodation.sleeping-at-workplace",
            ),
        )
        nat = _nationality(g)
        opening = (
            f"Inspection at a {sector} in {_city(where)}, {rng.randint(2, 30)} workers, "
            f"mostly {_ADJECTIVE[nat]}"
        )
        d = g.draft(
            "SZW", where, indicators, _summary(opening, indicators), when=when, grade="inspection"
        )
        g.company(d, forge.company(company_kind), kvk=rng.random() < 0.8)
        if rng.random() < 0.35:  # hired through the big (legitimate) agency: a common seat
            g.company(d, g.big_agency, kvk=rng.random() < 0.6)
            g.address(d, g.trap("agency-seat"))
        for _ in range(rng.randint(0, 2)):
            g.person(d, forge.person(nat), role="victim", birth=rng.random() < 0.8)
        return d
    if kind == "payroll":
        indicators = _pick(
            rng,
            (
                "finance.payroll-mismatch",
                "finance.wages-to-third-party-account",
                "finance.many-workers-one-account",
                "employment.fines-and-deductions",
            ),
        )
        d = g.draft(
            "SZW",
            where,
            indicators,
            _summary(f"Payroll review of an employer in {_city(where)}", indicators),
            when=when,
            grade="inspection",
        )
        g.company(d, forge.company(rng.choice(("agency", "logistics", "cleaning", "meat"))))
        g.iban(d, forge.iban(rng.choice(("NL", "NL", "NL", "RO", "PL"))))
        return d
    indicators = _pick(
        rng,
        (
            "accommodation.employer-provided-housing",
            "accommodation.overcrowded-address",
            "employment.fines-and-deductions",
        ),
    )
    d = g.draft(
        "SZW",
        where,
        indicators,
        _summary(f"Worker housing checked in {_city(where)}", indicators),
        when=when,
        grade="inspection",
    )
    block = g.block_for(where)
    g.address(d, g.trap(block) if block and rng.random() < 0.3 else forge.address(where))
    g.company(d, forge.company("agency"), name=rng.choice(("variant", "none")))
    return d


def _noise_police(g: _Gen, when: datetime) -> _Draft:
    rng, forge = g.rng, g.forge
    where = _anywhere(g)
    kind = rng.choices(("ads", "report", "traffic", "shelter"), (4, 4, 2, 2))[0]
    if kind == "ads":
        indicators = _pick(
            rng,
            (
                "employment.online-escort-ads",
                "employment.sex-work-outside-licensed-premises",
                "accommodation.third-party-paid-stay",
                "accommodation.unlicensed-sex-work-address",
            ),
        )
        d = g.draft(
            "POLITIE",
            where,
            indicators,
            _summary(f"Online monitoring of escort ads for {_city(where)}", indicators),
            when=when,
            grade=rng.choice(("report", "tip")),
        )
        g.website(d, forge.website(_city(where)))
        g.phone(d, forge.phone(rng.choice(("NL", "NL", "NL", "RO", "BG", "BR"))))
        if rng.random() < 0.4:
            g.person(
                d,
                forge.person(_nationality(g), sex="f", age=(19, 35)),
                role="victim",
                birth=rng.random() < 0.5,
            )
        return d
    if kind == "report":
        indicators = _pick(
            rng,
            (
                "employment.debt-bondage",
                "finance.proceeds-handed-over",
                "identity.documents-held-by-third-party",
                "finance.bank-cards-held-by-third-party",
                "entry.recruitment-debt",
            ),
        )
        d = g.draft(
            "POLITIE",
            where,
            indicators,
            _summary(f"Report taken at a police station in {_city(where)}", indicators),
            when=when,
            grade="report",
        )
        nat = _nationality(g)
        g.person(d, forge.person(nat), role="victim")
        if rng.random() < 0.5:
            g.person(
                d,
                forge.person(nat, sex="m", age=(25, 55)),
                role="suspect",
                birth=rng.random() < 0.4,
            )
        if rng.random() < 0.3:
            g.phone(d, forge.phone("NL"))
        return d
    if kind == "traffic":
        indicators = _pick(
            rng,
            (
                "employment.employer-controlled-transport",
                "entry.smuggled-entry",
                "employment.excessive-hours",
            ),
            2,
        )
        d = g.draft(
            "POLITIE",
            where,
            indicators,
            _summary(f"Traffic check of a van near {_city(where)}", indicators),
            when=when,
            grade="inspection",
        )
        g.vehicle(d, forge.plate(rng.choice(("NL", "NL", "PL", "RO", "BG"))))
        nat = _nationality(g)
        for _ in range(rng.randint(1, 3)):
            g.person(d, forge.person(nat, age=(19, 55)), role="other", birth=rng.random() < 0.7)
        return d
    indicators = [
        "accommodation.briefadres",
        *_pick(
            rng,
            ("employment.debt-bondage", "finance.proceeds-handed-over", "entry.false-job-offer"),
            1,
        ),
    ]
    where = rng.choice(("GM0363", "GM0599", where))
    d = g.draft(
        "POLITIE",
        where,
        indicators,
        _summary(f"Intake of a possible victim in {_city(where)}", indicators),
        when=when,
        grade="report",
    )
    g.person(d, forge.person(_nationality(g)), role="victim")
    shelter = g.shelter_for(where)
    g.address(d, g.trap(shelter) if shelter and rng.random() < 0.7 else forge.address(where))
    return d


def _noise_kmar(g: _Gen, when: datetime) -> _Draft:
    rng, forge = g.rng, g.forge
    kind = rng.choices(("arrival", "document", "border"), (5, 3, 2))[0]
    posts = [p for p in _KMAR_POSTS if (p in _AIRPORTS) == (kind != "border")]
    where = rng.choices(posts, [_KMAR_POSTS[p][1] for p in posts])[0]
    place = _KMAR_POSTS[where][0]
    nat = rng.choice(("NG", "VN", "CN", "BR", "UA", "RO", "BG"))
    if kind == "arrival":
        indicators = _pick(
            rng,
            (
                "entry.accompanied-by-guide",
                "entry.travel-paid-by-third-party",
                "entry.unaccompanied-minor",
                "entry.false-job-offer",
            ),
            2,
        )
        d = g.draft(
            "KMAR",
            where,
            indicators,
            _summary(f"Arrival check at {place}, {_ADJECTIVE[nat]} traveller", indicators),
            when=when,
            grade="inspection",
        )
        minor = "entry.unaccompanied-minor" in indicators
        traveller = forge.person(nat, age=(15, 17) if minor else (18, 40))
        g.person(d, traveller, role="victim")
        g.document(d, forge.document(nat))
        if rng.random() < 0.4:
            g.phone(d, forge.phone(nat))
        return d
    if kind == "document":
        indicators = _pick(
            rng,
            ("identity.forged-document", "identity.look-alike-fraud", "identity.doubtful-age"),
            2,
        )
        d = g.draft(
            "KMAR",
            where,
            indicators,
            _summary(f"Document check at {place}", indicators),
            when=when,
            grade="inspection",
        )
        g.person(d, forge.person(nat), role="other", birth=rng.random() < 0.8)
        g.document(d, forge.document(rng.choice((nat, "NL", "BE", "FR", "IT"))))
        return d
    indicators = _pick(rng, ("entry.smuggled-entry", "employment.employer-controlled-transport"), 2)
    d = g.draft(
        "KMAR",
        where,
        indicators,
        _summary(f"Mobile security check on {place}", indicators),
        when=when,
        grade="inspection",
    )
    g.vehicle(d, forge.plate(rng.choice(("NL", "PL", "RO", "BG"))))
    for _ in range(rng.randint(1, 2)):
        g.person(d, forge.person(nat), role="other", birth=rng.random() < 0.6)
    return d


def _noise_ind(g: _Gen, when: datetime) -> _Draft:
    rng, forge = g.rng, g.forge
    where = _anywhere(g)
    kind = rng.choices(("sponsor", "mvv", "scheme", "intermediary"), (3, 3, 2, 2))[0]
    if kind == "sponsor":
        indicators = _pick(
            rng, ("entry.sponsor-many-applications", "employment.wages-below-minimum"), 2
        )
        d = g.draft(
            "IND",
            where,
            indicators,
            _summary(f"Sponsor monitoring, employer in {_city(where)}", indicators),
            when=when,
            grade="record",
        )
        g.company(d, forge.company(rng.choice(("restaurant", "massage", "logistics", "grower"))))
        if rng.random() < 0.4:
            g.email(d, forge.email())
        return d
    if kind == "mvv":
        indicators = _pick(
            rng,
            ("entry.doubtful-mvv-application", "entry.false-job-offer", "identity.forged-document"),
            2,
        )
        nat = rng.choice(("NG", "CN", "VN", "BR", "UA"))
        d = g.draft(
            "IND",
            where,
            indicators,
            _summary(f"MVV application of a {_ADJECTIVE[nat]} national", indicators),
            when=when,
            grade="record",
        )
        applicant = forge.person(nat)
        g.person(d, applicant, role="other")
        g.document(d, forge.document(nat))
        if rng.random() < 0.5:
            g.email(d, forge.email(applicant))
        return d
    if kind == "scheme":
        indicators = _pick(
            rng,
            (
                "identity.no-lawful-residence",
                "entry.residence-procedure-misuse",
                "accommodation.briefadres",
            ),
            2,
        )
        d = g.draft(
            "IND",
            where,
            indicators,
            _summary("Application under the residence scheme for victims", indicators),
            when=when,
            grade="record",
        )
        # The scheme is for third-country nationals; EU citizens do not need a permit.
        g.person(d, forge.person(rng.choice(("NG", "UA", "VN", "CN", "BR"))), role="victim")
        shelter = g.shelter_for(where)
        if "accommodation.briefadres" in indicators:
            g.address(
                d, g.trap(shelter) if shelter and rng.random() < 0.7 else forge.address(where)
            )
        return d
    indicators = _pick(
        rng, ("entry.intermediary-many-applications", "entry.travel-paid-by-third-party"), 2
    )
    d = g.draft(
        "IND",
        where,
        indicators,
        _summary("Applications handled by the same intermediary", indicators),
        when=when,
        grade="record",
    )
    g.phone(d, forge.phone(rng.choice(("NL", "NL", "NG", "CN", "UA"))))
    if rng.random() < 0.5:
        g.email(d, forge.email())
    return d


def _noise_municipality(g: _Gen, agency: str, when: datetime) -> _Draft:
    rng, forge = g.rng, g.forge
    where, city = agency, _city(agency)
    kind = rng.choices(("housing", "brp", "briefadres", "licensing", "social"), (4, 3, 2, 2, 2))[0]
    if kind == "housing":
        indicators = _pick(
            rng,
            (
                "accommodation.overcrowded-address",
                "accommodation.employer-provided-housing",
                "accommodation.company-seat-address",
            ),
            2,
        )
        d = g.draft(
            agency,
            where,
            indicators,
            _summary(f"Housing inspection in {city}", indicators),
            when=when,
            grade="inspection",
        )
        block = g.block_for(where)
        g.address(d, g.trap(block) if block and rng.random() < 0.3 else forge.address(where))
        if "accommodation.company-seat-address" in indicators:
            g.company(d, forge.company(rng.choice(("agency", "cleaning", "construction"))))
        return d
    if kind == "brp":
        indicators = _pick(
            rng,
            (
                "accommodation.frequent-re-registration",
                "accommodation.not-living-at-registered-address",
                "identity.bulk-bsn-requests",
            ),
            2,
        )
        d = g.draft(
            agency,
            where,
            indicators,
            _summary(f"BRP address investigation in {city}", indicators),
            when=when,
            grade="record",
        )
        nat = _nationality(g)
        for _ in range(rng.randint(1, 3)):
            g.person(d, forge.person(nat, bsn=True), role="other", bsn=True)
        block = g.block_for(where)
        g.address(d, g.trap(block) if block and rng.random() < 0.3 else forge.address(where))
        return d
    if kind == "briefadres":
        indicators = ["accommodation.briefadres"]
        d = g.draft(
            agency,
            where,
            indicators,
            _summary(f"Briefadres registration in {city}", indicators),
            when=when,
            grade="record",
        )
        g.person(d, forge.person(_nationality(g), bsn=rng.random() < 0.6), role="other", bsn=True)
        shelter = g.shelter_for(where)
        g.address(d, g.trap(shelter) if shelter and rng.random() < 0.8 else forge.address(where))
        return d
    if kind == "licensing":
        indicators = _pick(
            rng,
            (
                "accommodation.unlicensed-sex-work-address",
                "employment.sex-work-outside-licensed-premises",
            ),
            2,
        )
        d = g.draft(
            agency,
            where,
            indicators,
            _summary(f"Prostitution licensing check in {city}", indicators),
            when=when,
            grade=rng.choice(("inspection", "tip")),
        )
        g.address(d, forge.address(where, addition=rng.random() < 0.5))
        if rng.random() < 0.5:
            g.website(d, forge.website(city))
        return d
    indicators = _pick(
        rng, ("finance.allowances-claimed-on-behalf", "finance.spending-above-income"), 2
    )
    d = g.draft(
        agency,
        where,
        indicators,
        _summary(f"Social services in {city}", indicators),
        when=when,
        grade="record",
    )
    g.person(d, forge.person(_nationality(g), bsn=True), role="other", bsn=True)
    g.iban(d, forge.iban("NL"))
    return d


_NOISE_SHARE = {"POLITIE": 24, "SZW": 22, "KMAR": 14, "IND": 14, "GM0363": 14, "GM0599": 12}


def _noise(g: _Gen, agency: str, when: datetime) -> _Draft:
    match agency:
        case "SZW":
            return _noise_szw(g, when)
        case "POLITIE":
            return _noise_police(g, when)
        case "KMAR":
            return _noise_kmar(g, when)
        case "IND":
            return _noise_ind(g, when)
        case _:
            return _noise_municipality(g, agency, when)


# --- assembly ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _default_vocabulary() -> Vocabulary:
    return load_vocabulary(document_dir("barriers"))


def _barriers(vocabulary: Vocabulary, indicators: Sequence[str]) -> tuple[str, ...]:
    named = set()
    for code in indicators:
        try:
            named.add(vocabulary.indicator(code).barrier)
        except KeyError:
            raise ValueError(f"the generator uses unknown indicator {code!r}") from None
    return tuple(b for b in BARRIER_ORDER if b in named)


def generate(
    *,
    seed: int = 2026,
    noise: int = 300,
    clusters: int = 8,
    now: datetime | None = None,
    vocabulary: Vocabulary | None = None,
) -> DemoData:
    """Invent ``clusters`` planted cases and ``noise`` unrelated signals, all before ``now``.

    Deterministic for (seed, noise, clusters, now). Without ``now`` the clock is truncated to
    the start of the current Amsterdam day, so calls on the same day agree. Plans are used in a
    fixed order (labour exploitation in Amsterdam, sexual exploitation in Rotterdam, look-alike
    fraud, ...) and repeat with fresh identities beyond the eight there are.
    """
    if noise < 0 or clusters < 0:
        raise ValueError("noise and clusters must not be negative")
    if now is None:
        # Amsterdam's day, not UTC's: the report's "yesterday" is Amsterdam's, and from UTC
        # midnight the demo's yesterday would be the day before it, with no signals.
        now = datetime.now(_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    elif now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    vocabulary = vocabulary or _default_vocabulary()
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    g = _Gen(rng, now)

    planted: list[tuple[str, list[_Draft]]] = []
    for index in range(clusters):
        base, plan = _PLANS[index % len(_PLANS)]
        name = base if index < len(_PLANS) else f"{base}-{index // len(_PLANS) + 1}"
        required, optional = plan(g)
        room = min(len(optional), MAX_CLUSTER_SIZE - len(required))
        chosen = rng.sample(optional, rng.randint(0, room)) if room else []
        planted.append((name, required + chosen))

    agencies = list(_NOISE_SHARE)
    noise_drafts = [
        _noise(g, rng.choices(agencies, [_NOISE_SHARE[a] for a in agencies])[0], g.noise_time())
        for _ in range(noise)
    ]
    # The first planted case is still running: its newest signal came in yesterday, so that
    # yesterday's digests have a proposal to tell its agencies about.
    if planted and planted[0][1]:
        max(planted[0][1], key=lambda d: d.when).when = g._daytime(1)

    # External references follow observation time per agency, as a case system numbers them,
    # so that their order says nothing about which signals were planted.
    everything = [d for _, drafts in planted for d in drafts] + noise_drafts
    counters = {code: rng.randint(100, 4000) for code in POSTING_AGENCIES}
    refs: dict[int, tuple[str, str]] = {}
    signals: dict[str, list[dict[str, Any]]] = {code: [] for code in POSTING_AGENCIES}
    for d in sorted(everything, key=lambda d: d.when):  # stable: ties keep generation order
        counters[d.agency] += rng.randint(1, 3)
        local = d.when.astimezone(_TZ)
        ref = f"{d.agency}-{local.year}-{counters[d.agency]:06d}"
        refs[id(d)] = (d.agency, ref)
        signals[d.agency].append(
            {
                "external_ref": ref,
                "barriers": list(_barriers(vocabulary, d.indicators)),
                "indicators": list(d.indicators),
                "observed_at": local.isoformat(timespec="seconds"),
                "municipality": d.municipality,
                "summary": d.summary,
                "reliability": d.grading[0],
                "credibility": d.grading[1],
                "subjects": d.subjects,
            }
        )

    truth = tuple(_cluster(name, drafts, refs, vocabulary) for name, drafts in planted)
    traps = []
    for name, kind, _ in _TRAPS:
        carriers = [d for d in everything if d.tokens & g.trap_tokens[name]]
        if len(carriers) >= 2:
            shared = _shared_kinds(carriers, g.trap_tokens[name])
            traps.append(Trap(name, kind, shared, tuple(sorted(refs[id(d)] for d in carriers))))
    return DemoData(signals=signals, clusters=truth, traps=tuple(traps))


def _cluster(
    name: str, drafts: list[_Draft], refs: dict[int, tuple[str, str]], vocabulary: Vocabulary
) -> PlantedCluster:
    agencies = tuple(dict.fromkeys(d.agency for d in drafts))
    barriers = _barriers(vocabulary, [i for d in drafts for i in d.indicators])
    members = tuple(sorted(refs[id(d)] for d in drafts))
    return PlantedCluster(name, agencies, barriers, members, _shared_kinds(drafts))


def _shared_kinds(
    drafts: Sequence[_Draft], among: set[tuple[str, str]] | None = None
) -> tuple[str, ...]:
    """Identifier types of which some value occurs in at least two of the drafts."""
    counts: dict[tuple[str, str], int] = {}
    for d in drafts:
        for token in d.tokens if among is None else d.tokens & among:
            counts[token] = counts.get(token, 0) + 1
    return tuple(sorted({kind for (kind, _), n in counts.items() if n >= 2}))
