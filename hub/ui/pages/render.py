"""Rendering the pages: the template response, htmx partials, and how values are shown."""

from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request, Response

from hub.agencies.regions import RIEC_REGIONS, agency_label, name_of
from hub.barriers.vocabulary import Vocabulary
from hub.kit.i18n import current_language, format_date, format_datetime
from hub.kit.i18n import gettext as _
from hub.proposals.labels import PROPOSAL_STATUS
from hub.proposals.naming import proposal_name
from hub.ui.pages.pseudonyms import ALONE, KEYS, meaning
from hub.ui.templating import templates

# Analysts work in the Netherlands: times are shown in Dutch time, and carried in UTC.
LOCAL = ZoneInfo("Europe/Amsterdam")


def when(value: datetime | None) -> str:
    """A moment in Dutch time, with the month in the page's language: "05 mrt 2026, 14:30"."""
    return format_datetime(value.astimezone(LOCAL)) if value else ""


def day(value: datetime | date | None) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL)
    return format_date(value) if value else ""


def short(value: object) -> str:
    """The first eight characters of an id: enough to tell proposals apart on a page."""
    return str(value)[:8]


templates.env.filters.update(when=when, day=day, short=short, place=name_of, agency=agency_label)
templates.env.globals.update(
    proposal_status=PROPOSAL_STATUS,
    region_names=RIEC_REGIONS,
    proposal_name=proposal_name,
    pseudonym_kinds=tuple(KEYS),
    pseudonym_meaning=meaning,
    pseudonym_alone=ALONE,
)


@cache
def _labels(vocabulary: Vocabulary, language: str) -> dict[str, Any]:
    """The vocabulary's names in `language` (the catalogue holds the shipped vocabulary's)."""
    return {
        "barrier_names": {b.code: _(b.name) for b in vocabulary.barriers},
        "barrier_codes": [b.code for b in vocabulary.barriers],
        "indicator_labels": {i.code: _(i.label) for b in vocabulary.barriers for i in b.indicators},
    }


def page(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    """A page (or partial) from templates/pages/, with the vocabulary's names to show codes by."""
    labels = _labels(request.app.state.vocabulary, current_language())
    return templates.TemplateResponse(
        request, f"pages/{name}", labels | context, status_code=status_code
    )


def wants_partial(request: Request) -> bool:
    """An htmx request for part of a page; htmx restoring history wants the whole page."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )
