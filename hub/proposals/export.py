"""A case file: the proposal as the viewer may see it, its history and the covenants that
allowed each member, as JSON and as a printable HTML page (Dutch unless asked otherwise)."""

from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from hub.agencies.regions import RIEC_REGIONS, name_of
from hub.db import now
from hub.kit.i18n import DEFAULT_LANGUAGE, environment, use_language
from hub.kit.i18n import gettext as _
from hub.proposals.labels import ACTIONS, PROPOSAL_STATUS
from hub.proposals.naming import proposal_name
from hub.proposals.schemas import ASSESSMENT_CRITERIA

TEMPLATES = Path(__file__).parent / "templates"
# 2: the signal assessment (WGS art. 2.23) and the case's retention (art. 1.8(7)).
CASE_FILE_VERSION = 2


def case_file(
    detail: dict[str, Any],
    history: list[dict[str, Any]],
    *,
    agency: str,
    actor: str,
    purpose: str,
    retention: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The case file's JSON document, from the viewer's detail view and history, with the
    acceptance's signal assessment (as far as the viewer reads it) and the case's retention."""
    proposal = {k: v for k, v in detail.items() if k not in ("grants", "graph")}
    allowed: Counter[tuple[str | None, int | None]] = Counter()
    rules: dict[tuple[str | None, int | None], set[str]] = {}
    for member in proposal["members"]:
        d = member["disclosure"]
        key = (d.get("covenant_id"), d.get("covenant_version"))
        allowed[key] += 1
        rules.setdefault(key, set()).add(d.get("rule_id") or "")
    return {
        "case_file_version": CASE_FILE_VERSION,
        "exported_at": now(),
        "exported_by": {"agency": agency, "actor": actor},
        "purpose": purpose,
        "proposal": proposal,
        "assessment": _assessment(history),
        "retention": retention,
        "history": history,
        "covenants": [
            {
                "covenant_id": cid,
                "covenant_version": version,
                "rules": sorted(rules[(cid, version)]),
                "members": n,
            }
            for (cid, version), n in sorted(allowed.items(), key=lambda kv: str(kv[0]))
        ],
    }


def _assessment(history: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The signal assessment of the latest acceptance the viewer may read (WGS art. 2.23)."""
    accepted = [e for e in history if e["action"] == "accepted" and e.get("assessment")]
    if not accepted:
        return None
    latest = accepted[-1]
    return {"event": latest["id"], "at": latest["at"], "actor": latest["actor"]} | latest[
        "assessment"
    ]


def render_html(
    document: dict[str, Any], *, barrier_names: dict[str, str], language: str = DEFAULT_LANGUAGE
) -> str:
    """The printable case file in `language`."""
    with use_language(language):
        return (
            _environment()
            .get_template("case.html.j2")
            .render(
                case=document,
                criteria=ASSESSMENT_CRITERIA,
                proposal_status=PROPOSAL_STATUS,
                actions=ACTIONS,
                barrier_names={code: _(name) for code, name in barrier_names.items()},
            )
        )


@cache
def _environment() -> Any:
    from jinja2 import StrictUndefined

    env = environment(TEMPLATES, undefined=StrictUndefined)
    env.filters["place"] = name_of
    env.globals.update(proposal_name=proposal_name, region_names=RIEC_REGIONS)
    return env
