"""MkDocs hook: the linking rules page, rendered from hub.linking.ruleset at build time.

The page explains the rules in Dutch and in English for a data subject (WGS art. 1.9(3)) from
the same description `GET /api/v1/linking/rules` serves and the linker is held to, so the
documentation cannot drift from what the hub does.
"""

from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from hub.linking import ruleset

PAGE = "linking-rules.md"
LANGUAGES = {
    "nl": {
        "heading": "Nederlands",
        "summary": "In het kort",
        "types": "Gedeelde gegevens en hun punten",
        "types_intro": "Eenheid: {unit}. De laatste kolom geeft de punten als zoveel signalen "
        "hetzelfde gegeven bevatten; boven het maximum telt het gegeven niet (0).",
        "columns": ("soort", "wat", "basispunten", "maximum", "punten bij zoveel signalen"),
        "parameters": "Waarden",
    },
    "en": {
        "heading": "English",
        "summary": "In short",
        "types": "Shared details and their points",
        "types_intro": "Unit: {unit}. The last column gives the points when that many "
        "signals hold the same detail; past the cap the detail does not count (0).",
        "columns": ("type", "what", "base points", "cap", "points by signals sharing it"),
        "parameters": "Values",
    },
}


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated rules page to the site's files."""
    files.append(File.generated(config, PAGE, content=render(ruleset.describe())))
    return files


def render(rules: dict[str, Any]) -> str:
    """The whole page as Markdown: the version, then the rules in Dutch, then in English."""
    lines = [
        "# Koppelregels · Linking rules",
        "",
        f"Version **{rules['version']}**, sha256 `{rules['hash']}`.",
        "",
        "Generated from `hub/linking/ruleset.py` when the site is built: the same rules the "
        "linker applies and `GET /api/v1/linking/rules` publishes. Every proposal, link and "
        "decision records the version and hash of the rules it was made under. "
        "*Gegenereerd uit de regels die de hub zelf toepast; elk voorstel, verband en besluit "
        "legt de versie en hash vast.*",
        "",
    ]
    for lang in LANGUAGES:
        lines += _language(rules, lang)
    lines += [
        "## Versies · Versions",
        "",
        "| version | date | sha256 | wat veranderde | what changed |",
        "|---|---|---|---|---|",
    ]
    for release in rules["releases"]:
        lines.append(
            f"| {release['version']} | {release['date']} | `{release['hash']}` | "
            f"{_cell(release['changes']['nl'])} | {_cell(release['changes']['en'])} |"
        )
    return "\n".join(lines) + "\n"


def _language(rules: dict[str, Any], lang: str) -> list[str]:
    words = LANGUAGES[lang]
    lines = [
        f"## {words['heading']} {{ #{lang} lang={lang} }}",
        "",
        f"### {words['summary']} {{ #{lang}-summary }}",
        "",
        rules["summary"][lang],
        "",
        f"### {words['types']} {{ #{lang}-types }}",
        "",
        words["types_intro"].format(unit=rules["unit"][lang]),
        "",
        "| " + " | ".join(words["columns"]) + " |",
        "|---|---|---|---|---|",
    ]
    for entry in rules["key_types"]:
        points = " · ".join(
            f"{row['carriers']}: {row['points']:.1f}" for row in entry["points_by_carriers"]
        )
        lines.append(
            f"| `{entry['type']}` | {_cell(entry['label'][lang])} | {entry['base_points']:g} | "
            f"{entry['frequency_cap']} | {points} |"
        )
    lines.append("")
    for group in rules["groups"]:
        lines += [f"### {group['title'][lang]} {{ #{lang}-{group['id']} }}", ""]
        for rule in rules["rules"]:
            if rule["group"] != group["id"]:
                continue
            lines += [
                f"#### {rule['title'][lang]} {{ #{lang}-{rule['id']} }}",
                "",
                rule["reason"][lang],
                "",
            ]
            if rule["parameters"]:
                shown = ", ".join(
                    f"`{name}` {_value(value)}" for name, value in rule["parameters"].items()
                )
                lines += [f"{words['parameters']} (`{rule['id']}`): {shown}.", ""]
    return lines


def _value(value: Any) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{value:g}"
    if isinstance(value, dict):
        return "(" + ", ".join(f"{k} {_value(v)}" for k, v in value.items()) + ")"
    if isinstance(value, list):
        return "[" + "; ".join(_value(v) for v in value) + "]"
    return f"`{value}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
