"""The hub's languages: Dutch first, English too.

The message ids are the English texts, so English needs no catalogue; Dutch comes from
hub/locale/nl/LC_MESSAGES/messages.mo, which the build compiles from its .po (hatch_build.py).
The language of what is being rendered travels in a context variable: the UI sets it per
request, a report or export sets it around its rendering. Every Jinja environment that shows
text to people is made here (`environment`), so they all translate the same way.
"""

import gettext as _gettext
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
# Each language's name in itself, for the switch that offers it.
NAMES = {"nl": "Nederlands", "en": "English"}
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
# The API's printable (text/html) renditions speak the caller's Accept-Language.
HTML_LANGUAGE = (
    "The language of the text/html rendition: nl or en (default: the hub's HUB_LANGUAGE, nl "
    "unless set)."
)
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("hub_language", default=DEFAULT_LANGUAGE)


class CatalogueMissing(RuntimeError):
    """A compiled catalogue is missing: the hub would show English where Dutch is asked."""


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The translations of `language`; English is the message ids themselves."""
    if language not in LANGUAGES:
        raise ValueError(f"not a language of the hub: {language!r}")
    if language == "en":
        return _gettext.NullTranslations()
    path = catalogue_path(language)
    if not path.is_file():
        raise CatalogueMissing(
            f"the {NAMES[language]} translation catalogue {path} is missing; it is compiled "
            "from its .po when the hub is installed: run `pip install .` (or `pip install -e .` "
            "in a checkout) again"
        )
    with path.open("rb") as compiled:
        return _gettext.GNUTranslations(compiled)


def check_catalogues() -> None:
    """Fail now, loudly, if any language's catalogue cannot be read (called at start-up)."""
    for language in LANGUAGES:
        translations(language)


def language_or_default(value: str | None) -> str:
    """`value` if it names a language of the hub, else the default (Dutch)."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}|\*)(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$"
)


def negotiate(accept_language: str | None, *, default: str = DEFAULT_LANGUAGE) -> str:
    """The hub's language that an Accept-Language header prefers most; `default` (Dutch) when
    it names neither Dutch nor English (or is missing or malformed)."""
    best, best_q = language_or_default(default), 0.0
    for position, part in enumerate((accept_language or "").split(",")[:32]):
        found = _RANGE.match(part)
        if not found:
            continue
        primary, q = found.group(1).lower(), found.group(2)
        try:
            weight = 1.0 if q is None else float(q)
        except ValueError:
            continue
        # Earlier ranges win ties, as the header lists them in order of preference.
        weight -= position * 1e-6
        if primary in LANGUAGES and weight > best_q and weight > 0:
            best, best_q = primary, weight
    return best


def current_language() -> str:
    return _current.get()


@contextmanager
def use_language(language: str) -> Iterator[str]:
    """Render and translate in `language` within the block."""
    token = _current.set(language_or_default(language))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """`message` in the current language (an empty one stays empty: the catalogue keeps its
    header under the empty id)."""
    return translations(_current.get()).gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a text for the catalogue without translating it yet (it is shown later, by `_`)."""
    return message


def format_datetime(value: datetime | None, *, with_time: bool = True) -> str:
    """A date (and time) as people read it in the current language: "05 mrt 2026, 14:30"."""
    from babel.dates import format_date as babel_date
    from babel.dates import format_datetime as babel_datetime

    if value is None:
        return ""
    locale = current_language()
    if with_time and isinstance(value, datetime):
        return babel_datetime(value, "dd MMM y, HH:mm", locale=locale)
    return babel_date(value, "dd MMM y", locale=locale)


def format_date(value: date | None) -> str:
    return format_datetime(value, with_time=False)  # type: ignore[arg-type]


def environment(directory: Path, **options: Any) -> Any:
    """A Jinja environment over `directory` that translates: `{% trans %}`, `_()`, always
    autoescaped (newstyle gettext escapes what it substitutes), `current_language()` for
    <html lang> and the `term` filter for codes shown as words."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(default_for_string=True, default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        **options,
    )
    # Whitespace inside {% trans %} is collapsed, so the catalogue's ids do not depend on how
    # a template is indented (the extraction in babel.cfg says the same).
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(current_language=current_language, language_names=NAMES)
    env.filters["term"] = _term
    return env


def _term(code: object) -> str:
    from hub.kit.terms import term

    return term(code)
