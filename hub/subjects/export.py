"""The access export as a printable HTML page (the JSON document is the service's), Dutch
unless asked otherwise."""

from functools import cache
from pathlib import Path
from typing import Any

from hub.agencies.regions import name_of
from hub.kit.i18n import DEFAULT_LANGUAGE, environment, use_language

TEMPLATES = Path(__file__).parent / "templates"
# The page is self-contained: inline styles, nothing else, never framed.
EXPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def render_html(document: dict[str, Any], *, language: str = DEFAULT_LANGUAGE) -> str:
    """The printable page of an access export (AVG art. 15), in `language`."""
    with use_language(language):
        return _environment().get_template("export.html.j2").render(export=document)


@cache
def _environment() -> Any:
    from jinja2 import StrictUndefined

    env = environment(TEMPLATES, undefined=StrictUndefined)
    env.filters["place"] = name_of
    return env
