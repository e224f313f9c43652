"""The access export as a printable HTML page (the JSON document is the service's)."""

from functools import cache
from pathlib import Path
from typing import Any

from hub.agencies.regions import name_of

TEMPLATES = Path(__file__).parent / "templates"
# The page is self-contained: inline styles, nothing else, never framed.
EXPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def render_html(document: dict[str, Any]) -> str:
    """The printable page of an access export (AVG art. 15)."""
    return _environment().get_template("export.html.j2").render(export=document)


@cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["place"] = name_of
    return env
