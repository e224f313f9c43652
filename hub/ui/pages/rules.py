"""The linking rules, explained in Dutch and English side by side (WGS art. 1.9(3)): the page
renders hub.linking.ruleset's description, the one the API publishes, so it cannot drift. Its
frame speaks the analyst's language; the rules themselves are shown in both."""

from typing import Any

from fastapi import APIRouter, Request, Response

from hub.kit.i18n import gettext as _
from hub.linking import ruleset
from hub.ui.pages.render import page
from hub.ui.sessions import AnalystDep

router = APIRouter()


def shown(value: Any) -> str:
    """A rule's parameter as one short line: numbers without trailing zeros, mappings as
    `key value` pairs."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float | int):
        return f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {shown(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(shown(v) for v in value)
    return str(value)


@router.get("/rules")
def rules(request: Request, analyst: AnalystDep) -> Response:
    """Every signed-in user may read the rules: they hold no personal data."""
    described = ruleset.describe()
    for rule in described["rules"]:
        rule["shown"] = {name: shown(value) for name, value in rule["parameters"].items()}
    unit = described["unit"]
    # Published beside the rules, in both languages as they are.
    unit_note = {
        "nl": f"Eenheid: {unit['nl']}. De kolommen rechts geven de punten als zoveel signalen "
        "hetzelfde gegeven bevatten; 0 boven het maximum.",
        "en": f"Unit: {unit['en']}. The columns on the right give the points when that many "
        "signals hold the same detail; 0 past the cap.",
    }
    return page(request, "rules.html", {"rules": described, "unit_note": unit_note})
