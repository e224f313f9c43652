"""The traps of issue 18 that the synthetic population sets for a linker, and at what rates.

Real files hold people who are easy to join by mistake and people who are easy to miss:

- **common names with placeholder birth dates**: when the real date is unknown, immigration and
  police systems register 1 January (sometimes 1 July, or the first of the known month), so
  strangers with a very common name share name *and* birth date;
- **transliteration**: one Ukrainian or Bulgarian name is romanised differently by each
  agency's source (the passport's national system, a scholarly ISO 9 form with háčeks, German
  and French forms, a Polish form), and Polish names lose their diacritics or get a German
  spelling: Shevchenko / Ševčenko / Schewtschenko, Georgieva / Gueorguieva;
- **OCR slips** in a document number read by a scanner: O for 0, I for 1, B for 8, S for 5.

Pure: tables and small functions on a ``random.Random`` the caller seeds.
"""

import random
from dataclasses import dataclass
from datetime import date

__all__ = [
    "COMMON_NAMES",
    "COMMON_YEARS",
    "OCR_CONFUSIONS",
    "PLACEHOLDER_DATES",
    "SPELLINGS",
    "STYLES",
    "TRANSLITERATED_NATIONALITIES",
    "Traps",
    "is_placeholder",
    "ocr_slip",
    "placeholder_date",
    "slavic_name",
    "spelling_style",
]


@dataclass(frozen=True)
class Traps:
    """How often the population sets each trap; ``Traps.none()`` switches them all off."""

    # Share of unrelated (noise) signals whose first person has a very common name of their
    # nationality and a placeholder birth date.
    common_name_rate: float = 0.08
    # Share of planted cases whose main person has a Ukrainian, Bulgarian or Polish name, which
    # every later signal of the case spells in the romanisation its source uses.
    transliteration_rate: float = 0.2
    # Share of the document numbers copied into a planted case's later signals that carry one
    # OCR slip.
    ocr_slip_rate: float = 0.15

    def __post_init__(self) -> None:
        for name in ("common_name_rate", "transliteration_rate", "ocr_slip_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must lie between 0 and 1")

    @classmethod
    def none(cls) -> "Traps":
        return cls(0.0, 0.0, 0.0)


# --- common names with placeholder birth dates ---------------------------------------------------

# A handful of very common names per nationality, so that strangers collide as they do in real
# registers (the 25-signal proposal held some twenty people).
COMMON_NAMES: dict[str, tuple[str, ...]] = {
    "NL": (
        "Mohamed El Amrani",
        "Jan de Vries",
        "Ahmed Hassan",
        "Peter de Jong",
        "Anna Bakker",
        "Fatima Bouzid",
    ),
    "RO": ("Ion Popescu", "Maria Popa", "Andrei Pop", "Elena Ionescu"),
    "PL": ("Piotr Nowak", "Anna Kowalska", "Tomasz Wiśniewski", "Katarzyna Wójcik"),
    "BG": ("Georgi Ivanov", "Maria Georgieva", "Ivan Dimitrov", "Elena Petrova"),
    "UA": ("Oleksandr Shevchenko", "Olena Kovalenko", "Andriy Bondarenko", "Iryna Melnyk"),
}
# Victims are mostly young adults: a narrow span of years makes name-and-date collisions as
# frequent as the issue found them.
COMMON_YEARS = range(1995, 2005)
# (month, day or None for "the first of a random month", weight): 1 January dominates.
PLACEHOLDER_DATES: tuple[tuple[int | None, int, int], ...] = ((1, 1, 70), (7, 1, 20), (None, 1, 10))


def placeholder_date(rng: random.Random) -> date:
    """A birth date as a register writes it when only the year (or year and month) is known."""
    month, day, _ = rng.choices(PLACEHOLDER_DATES, [w for *_, w in PLACEHOLDER_DATES])[0]
    return date(rng.choice(COMMON_YEARS), month or rng.randint(1, 12), day)


def is_placeholder(born: date) -> bool:
    """Whether a birth date is one `placeholder_date` gives (the first of a month)."""
    return born.day == 1 and born.year in COMMON_YEARS


# --- transliteration -----------------------------------------------------------------------------

# Per nationality: the styles a clerk's source writes in, and for each name its spelling in
# each style (equal where a style does not change it). Style 0 is the passport's.
_CYRILLIC_STYLES = ("national", "scholarly (ISO 9)", "German", "French", "Polish")
STYLES = {"UA": _CYRILLIC_STYLES, "BG": _CYRILLIC_STYLES, "PL": ("Polish", "ASCII", "German")}
SPELLINGS: dict[str, dict[str, tuple[tuple[str, ...], ...]]] = {
    "UA": {
        "family": (
            ("Shevchenko", "Ševčenko", "Schewtschenko", "Chevtchenko", "Szewczenko"),
            ("Tkachenko", "Tkačenko", "Tkatschenko", "Tkatchenko", "Tkaczenko"),
            ("Kravchenko", "Kravčenko", "Krawtschenko", "Kravtchenko", "Krawczenko"),
            ("Kovalchuk", "Kovalčuk", "Kowaltschuk", "Kovaltchouk", "Kowalczuk"),
            ("Savchenko", "Savčenko", "Sawtschenko", "Savtchenko", "Sawczenko"),
            ("Yaroshenko", "Jarošenko", "Jaroschenko", "Iarochenko", "Jaroszenko"),
        ),
        "family-female": (),
        "male": (
            ("Oleksandr", "Oleksandr", "Olexandr", "Oleksandr", "Ołeksandr"),
            ("Serhiy", "Serhij", "Serhij", "Serhiy", "Serhij"),
            ("Yevhen", "Jevhen", "Jewhen", "Ievgen", "Jewhen"),
            ("Vitaliy", "Vitalij", "Witalij", "Vitali", "Witalij"),
            ("Yuriy", "Jurij", "Jurij", "Iouri", "Jurij"),
        ),
        "female": (
            ("Yuliia", "Julija", "Julija", "Ioulia", "Julija"),
            ("Tetiana", "Tetjana", "Tetjana", "Tetiana", "Tetiana"),
            ("Nataliya", "Natalija", "Natalija", "Natalia", "Natalia"),
            ("Khrystyna", "Chrystyna", "Chrystyna", "Khrystyna", "Chrystyna"),
            ("Zhanna", "Žanna", "Schanna", "Janna", "Żanna"),
        ),
    },
    "BG": {
        "family": (
            ("Georgiev", "Georgiev", "Georgiew", "Gueorguiev", "Georgiew"),
            ("Zhelyazkov", "Željazkov", "Scheljaskow", "Jeliazkov", "Żelazkow"),
            ("Tsvetkov", "Cvetkov", "Zwetkow", "Tsvetkov", "Cwetkow"),
            ("Hristov", "Hristov", "Christow", "Khristov", "Christow"),
            ("Stoyanov", "Stojanov", "Stojanow", "Stoianov", "Stojanow"),
        ),
        "family-female": (
            ("Georgieva", "Georgieva", "Georgiewa", "Gueorguieva", "Georgiewa"),
            ("Zhelyazkova", "Željazkova", "Scheljaskowa", "Jeliazkova", "Żelazkowa"),
            ("Tsvetkova", "Cvetkova", "Zwetkowa", "Tsvetkova", "Cwetkowa"),
            ("Hristova", "Hristova", "Christowa", "Khristova", "Christowa"),
            ("Stoyanova", "Stojanova", "Stojanowa", "Stoianova", "Stojanowa"),
        ),
        "male": (
            ("Georgi", "Georgi", "Georgi", "Gueorgui", "Gieorgi"),
            ("Hristo", "Hristo", "Christo", "Khristo", "Christo"),
            ("Yordan", "Jordan", "Jordan", "Iordan", "Jordan"),
            ("Zhivko", "Živko", "Schiwko", "Jivko", "Żywko"),
        ),
        "female": (
            ("Tsvetelina", "Cvetelina", "Zwetelina", "Tsvetelina", "Cwetelina"),
            ("Yordanka", "Jordanka", "Jordanka", "Iordanka", "Jordanka"),
            ("Zhivka", "Živka", "Schiwka", "Jivka", "Żywka"),
            ("Evgeniya", "Evgenija", "Ewgenija", "Evguenia", "Ewgienija"),
        ),
    },
    "PL": {
        "family": (
            ("Wiśniewski", "Wisniewski", "Wischnewski"),
            ("Szymański", "Szymanski", "Schimanski"),
            ("Dąbrowski", "Dabrowski", "Dombrowski"),
            ("Łukasiewicz", "Lukasiewicz", "Lukaschewitz"),
            ("Kowalczyk", "Kowalczyk", "Kowaltschik"),
        ),
        "family-female": (
            ("Wiśniewska", "Wisniewska", "Wischnewska"),
            ("Szymańska", "Szymanska", "Schimanska"),
            ("Dąbrowska", "Dabrowska", "Dombrowska"),
            ("Łukasiewicz", "Lukasiewicz", "Lukaschewitz"),
            ("Kowalczyk", "Kowalczyk", "Kowaltschik"),
        ),
        "male": (
            ("Łukasz", "Lukasz", "Lukas"),
            ("Paweł", "Pawel", "Pawel"),
            ("Michał", "Michal", "Michal"),
            ("Przemysław", "Przemyslaw", "Przemyslaw"),
        ),
        "female": (
            ("Małgorzata", "Malgorzata", "Malgorzata"),
            ("Agnieszka", "Agnieszka", "Agnieschka"),
            ("Bożena", "Bozena", "Boschena"),
            ("Żaneta", "Zaneta", "Zaneta"),
        ),
    },
}
# Weights of the nationalities a transliterated person has.
TRANSLITERATED_NATIONALITIES = (("UA", 2), ("BG", 2), ("PL", 1))


def slavic_name(rng: random.Random) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(nationality, given name in every style, family name in every style)."""
    nationalities, weights = zip(*TRANSLITERATED_NATIONALITIES, strict=True)
    nationality = rng.choices(nationalities, weights)[0]
    table = SPELLINGS[nationality]
    female = rng.random() < 0.5
    given = rng.choice(table["female" if female else "male"])
    family = rng.choice((female and table["family-female"]) or table["family"])
    return nationality, given, family


def spelling_style(rng: random.Random, styles: int) -> int:
    """The style a later signal's source writes in: the passport's one time in four."""
    return 0 if rng.random() < 0.25 else rng.randrange(1, styles)


# --- OCR slips -----------------------------------------------------------------------------------

OCR_CONFUSIONS = {"0": "O", "O": "0", "1": "I", "I": "1", "8": "B", "B": "8", "5": "S", "S": "5"}


def ocr_slip(rng: random.Random, number: str) -> str:
    """The number with one character a scanner confuses read as its look-alike (unchanged if it
    holds none)."""
    places = [i for i, c in enumerate(number) if c in OCR_CONFUSIONS]
    if not places:
        return number
    i = rng.choice(places)
    return number[:i] + OCR_CONFUSIONS[number[i]] + number[i + 1 :]
