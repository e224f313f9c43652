"""Renditions of a built report: JSON text, one tidy CSV table, and a self-contained HTML page.

Every rendition is made from the report dict alone, after disclosure control: a chart or a
sentence can only show what the JSON shows. Charts are matplotlib SVG (Agg, no display),
inlined in the page, so it opens offline and prints as it looks.
"""

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from hub.agencies.regions import RIEC_REGIONS

CSV_COLUMNS = ("section", "period", "from", "to", "dimension", "key", "value")
# The renditions' media types, and the page's policy: inline styles and SVG, no script,
# nothing fetched. The API and the UI serve a stored report with both.
MEDIA_TYPES = {"json": "application/json", "html": "text/html", "csv": "text/csv"}
HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
TEMPLATES = Path(__file__).with_name("templates")
PERIOD_NAMES = {"day": "the day", "7d": "the last 7 days", "28d": "the last 28 days"}
# Words for the report's fixed row keys and the agency kinds, where the JSON keeps the keys.
ROW_LABELS = {
    "total": "All signals",
    "in_proposal": "In a proposal spanning two barriers or more",
    "not_in_proposal": "In no such proposal",
    "new": "New",
    "accepted": "Accepted",
    "rejected": "Rejected",
}
KIND_NAMES = {
    "emm": "EMM (expertise centre)",
    "riec": "RIEC",
    "liec": "LIEC",
    "kmar": "Royal Marechaussee (KMar)",
    "ind": "Immigration service (IND)",
    "szw": "Labour Inspectorate (SZW)",
    "police": "Police",
    "municipality": "Municipality",
    "other": "Other",
}


@dataclass(frozen=True)
class Labels:
    """Words for the keys a report carries: barriers and indicators by the vocabulary."""

    barriers: Mapping[str, str] = field(default_factory=dict)
    indicators: Mapping[str, str] = field(default_factory=dict)

    def barrier(self, code: str) -> str:
        return self.barriers.get(code, code)

    def indicator(self, code: str) -> str:
        return self.indicators.get(code, code)


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def csv_rows(report: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """The report as one tidy table: section, period, from, to, dimension, key, value."""
    for name, section in report["periods"].items():
        for side in ("current", "previous"):
            period = name if side == "current" else f"{name}-previous"
            window = section[side]
            at = (period, window["from"], window["to"])
            yield ("signals", *at, "total", "all", section["total"][side])
            for table, dimension in (
                ("by_barrier", "barrier"),
                ("by_region", "region"),
                ("by_agency_kind", "agency_kind"),
                ("by_indicator", "indicator"),
            ):
                for row in section[table]:
                    yield ("signals", *at, dimension, row["key"], row[side])
            multi = section["multi_barrier"]
            for key in ("in_proposal", "not_in_proposal"):
                yield ("multi_barrier", *at, "membership", key, multi[key][side])
            yield ("multi_barrier", *at, "share_pct", "in_proposal", multi["share_pct"][side])
            for key, row in section["proposals"].items():
                yield ("proposals", *at, "status", key, row[side])
            median = section["median_days_to_accepted"][side]
            yield ("time_to_accepted", *at, "median_days", "accepted", median["days"])
            yield ("time_to_accepted", *at, "cases", "accepted", median["cases"])
        for direction in ("up", "down"):
            for row in section["movers"][direction]:
                window = section["current"]
                yield ("movers", name, window["from"], window["to"], direction, row["key"],
                       row["change"])  # fmt: skip
    spans = report["proposal_spans"]
    at = ("snapshot", spans["as_of"], spans["as_of"])
    yield ("proposal_spans", *at, "barriers", "2-5", spans["total"])
    for row in spans["by_barrier_count"]:
        yield ("proposal_spans", *at, "barriers", row["key"], row["value"])
    heat = report["heat_map"]
    at = ("28d", heat["from"], heat["to"])
    for barrier, row, total in zip(
        heat["barriers"], heat["cells"], heat["row_totals"], strict=True
    ):
        for region, value in zip(heat["regions"], row, strict=True):
            yield ("heat_map", *at, "barrier/region", f"{barrier}/{region}", value)
        yield ("heat_map", *at, "barrier/region", f"{barrier}/all", total)
    for region, value in zip(heat["regions"], heat["column_totals"], strict=True):
        yield ("heat_map", *at, "barrier/region", f"all/{region}", value)
    yield ("heat_map", *at, "barrier/region", "all/all", heat["total"])
    weekly = report["weekly"]
    for i, week in enumerate(weekly["weeks"]):
        label = f"week-{len(weekly['weeks']) - 1 - i:02d}"
        for barrier, series in weekly["series"].items():
            yield ("weekly", label, week["from"], week["to"], "barrier", barrier, series[i])


def render_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in csv_rows(report):
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def render_html(report: dict[str, Any], labels: Labels | None = None) -> str:
    """The printable page: tables, two inline SVG charts and a written summary, in words."""
    labels = labels or Labels()
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            summary=summary(report, labels),
            weekly_svg=weekly_chart(report, labels),
            heat_svg=heat_chart(report, labels),
            region_names=REGION_NAMES,
            period_names=PERIOD_NAMES,
            row_labels=ROW_LABELS,
            kind_names=KIND_NAMES,
            barrier_names=labels.barriers,
            indicator_labels=labels.indicators,
        )
    )


REGION_NAMES = {**RIEC_REGIONS, "unknown": "Unknown region"}


@cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) else None


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def summary(report: dict[str, Any], labels: Labels | None = None) -> list[str]:
    """A few sentences on the biggest changes, made from shown numbers only."""
    labels = labels or Labels()
    lines: list[str] = []
    for name in ("28d", "7d"):
        period = report["periods"][name]
        total = period["total"]
        if _count(total["current"]) is not None:
            line = f"In {PERIOD_NAMES[name]} the hub counted {total['current']} signals"
            if total["change"] is not None:
                pct = f" ({_signed_pct(total['change_pct'])})" if total["change_pct"] else ""
                line += f", {_signed(total['change'])}{pct} against the {name[:-1]} days before"
            lines.append(line + ".")
        for table, what in (("by_barrier", "barrier"), ("by_region", "region")):
            moved = [r for r in period[table] if r["change"]]
            if moved:
                top = max(moved, key=lambda r: (abs(r["change"]), r["key"]))
                key = REGION_NAMES.get(top["key"]) if what == "region" else None
                key = key or labels.barrier(top["key"])
                direction = "rose" if top["change"] > 0 else "fell"
                lines.append(
                    f"The largest change by {what} over {PERIOD_NAMES[name]}: {key} "
                    f"{direction} from {top['previous']} to {top['current']}."
                )
    movers = report["periods"]["28d"]["movers"]
    for direction, verb in (("up", "rose most"), ("down", "fell most")):
        if movers[direction]:
            top = movers[direction][0]
            lines.append(
                f"The indicator that {verb} over the last 28 days: {labels.indicator(top['key'])} "
                f"({_signed(top['change'])})."
            )
    share = report["periods"]["28d"]["multi_barrier"]["share_pct"]["current"]
    if share is not None:
        lines.append(
            f"{share}% of the signals of the last 28 days sit in a proposal spanning two "
            "barriers or more."
        )
    median = report["periods"]["28d"]["median_days_to_accepted"]["current"]["days"]
    if median is not None:
        lines.append(f"Cases accepted in the last 28 days took a median {median} days.")
    if not lines:
        lines.append("Too few signals in these periods to describe changes without risk.")
    return lines


def _signed_pct(pct: float) -> str:
    return f"+{pct}%" if pct > 0 else f"{pct}%"


def _svg(figure: Any) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = out.getvalue()
    # Inline SVG needs neither the XML declaration nor the DOCTYPE.
    return text[text.index("<svg") :]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    matplotlib.rcParams.update(
        {"svg.fonttype": "none", "svg.hashsalt": "barrier-hub", "font.size": 9}
    )
    return pyplot


def weekly_chart(report: dict[str, Any], labels: Labels | None = None) -> str:
    """Lines per barrier over 26 weeks; a hidden week is a gap, never a guess."""
    plt = _pyplot()
    weekly = report["weekly"]
    words = labels or Labels()
    weeks = [w["to"][5:] for w in weekly["weeks"]]
    fig, ax = plt.subplots(figsize=(8, 3.2))
    try:
        for barrier, series in weekly["series"].items():
            ax.plot(
                range(len(series)),
                [v if isinstance(v, int) else float("nan") for v in series],
                marker="o",
                markersize=2.5,
                linewidth=1.2,
                label=words.barrier(barrier),
            )
        ax.set_xticks(range(0, len(weeks), 4), weeks[::4])
        ax.set_ylabel("signals per week")
        ax.set_xlabel("week ending (month-day)")
        ax.grid(alpha=0.3)
        ax.legend(ncols=5, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.22))
        return _svg(fig)
    finally:
        plt.close(fig)


def heat_chart(report: dict[str, Any], labels: Labels | None = None) -> str:
    """Barrier x region, 28 days; hidden cells grey with their marker."""
    plt = _pyplot()
    heat = report["heat_map"]
    grid = [[v if isinstance(v, int) else float("nan") for v in row] for row in heat["cells"]]
    fig, ax = plt.subplots(figsize=(8, 2.8))
    try:
        cmap = plt.get_cmap("Blues").with_extremes(bad="#d9d9d9")
        ax.imshow(grid, cmap=cmap, aspect="auto")
        barriers = [(labels or Labels()).barrier(b) for b in heat["barriers"]]
        ax.set_yticks(range(len(barriers)), barriers)
        names = [REGION_NAMES.get(r, r) for r in heat["regions"]]
        ax.set_xticks(range(len(names)), names, rotation=40, ha="right")
        shown = [v for row in grid for v in row if v == v]
        top = max(shown, default=0)
        for i, row in enumerate(heat["cells"]):
            for j, value in enumerate(row):
                dark = isinstance(value, int) and top and value > top * 0.6
                ax.text(j, i, str(value), ha="center", va="center", fontsize=7,
                        color="white" if dark else "black")  # fmt: skip
        return _svg(fig)
    finally:
        plt.close(fig)
