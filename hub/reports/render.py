"""Renditions of a built report: JSON text, one tidy CSV table, and a self-contained HTML page.

Every rendition is made from the report dict alone, after disclosure control: a chart or a
sentence can only show what the JSON shows. Charts are matplotlib SVG (Agg, no display),
inlined in the page, so it opens offline and prints as it looks. The page speaks Dutch unless
asked otherwise (HUB_LANGUAGE, `hub report nightly --lang`); the JSON and CSV have no language.
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
from hub.kit.i18n import DEFAULT_LANGUAGE, N_, environment, use_language
from hub.kit.i18n import gettext as _

CSV_COLUMNS = ("section", "period", "from", "to", "dimension", "key", "value")
# The renditions' media types, and the page's policy: inline styles and SVG, no script,
# nothing fetched. The API and the UI serve a stored report with both.
MEDIA_TYPES = {"json": "application/json", "html": "text/html", "csv": "text/csv"}
HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
TEMPLATES = Path(__file__).with_name("templates")
PERIOD_NAMES = {"day": N_("the day"), "7d": N_("the last 7 days"), "28d": N_("the last 28 days")}
# Words for the report's fixed row keys and the agency kinds, where the JSON keeps the keys.
ROW_LABELS = {
    "total": N_("All signals"),
    "in_proposal": N_("In a proposal spanning two barriers or more"),
    "not_in_proposal": N_("In no such proposal"),
    "new": N_("New"),
    "accepted": N_("Accepted"),
    "rejected": N_("Rejected"),
}
KIND_NAMES = {
    "emm": N_("EMM (expertise centre)"),
    "riec": N_("RIEC"),
    "liec": N_("LIEC"),
    "kmar": N_("Royal Marechaussee (KMar)"),
    "ind": N_("Immigration service (IND)"),
    "szw": N_("Labour Inspectorate (SZW)"),
    "police": N_("Police"),
    "municipality": N_("Municipality"),
    "other": N_("Other"),
}


@dataclass(frozen=True)
class Labels:
    """Words for the keys a report carries: barriers and indicators by the vocabulary, in the
    current language (the catalogue holds the shipped vocabulary's names)."""

    barriers: Mapping[str, str] = field(default_factory=dict)
    indicators: Mapping[str, str] = field(default_factory=dict)

    def barrier(self, code: str) -> str:
        return _(self.barriers.get(code, code))

    def indicator(self, code: str) -> str:
        return _(self.indicators.get(code, code))


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


def render_html(
    report: dict[str, Any], labels: Labels | None = None, *, language: str = DEFAULT_LANGUAGE
) -> str:
    """The printable page in `language`: tables, two inline SVG charts and a written summary,
    in words."""
    labels = labels or Labels()
    with use_language(language):
        return (
            _environment()
            .get_template("report.html.j2")
            .render(
                report=report,
                summary=summary(report, labels),
                weekly_svg=weekly_chart(report, labels),
                heat_svg=heat_chart(report, labels),
                region_names={key: region_name(key) for key in REGION_NAMES},
                period_names={key: _(name) for key, name in PERIOD_NAMES.items()},
                row_labels={key: _(name) for key, name in ROW_LABELS.items()},
                kind_names={key: _(name) for key, name in KIND_NAMES.items()},
                barrier_names={code: labels.barrier(code) for code in labels.barriers},
                indicator_labels={code: labels.indicator(code) for code in labels.indicators},
            )
        )


REGION_NAMES = {**RIEC_REGIONS, "unknown": N_("Unknown region")}


def region_name(code: str) -> str:
    """A RIEC region by its (Dutch) name; the report's "unknown" in the current language."""
    return _(REGION_NAMES["unknown"]) if code == "unknown" else REGION_NAMES.get(code, code)


@cache
def _environment() -> Any:
    from jinja2 import StrictUndefined

    return environment(TEMPLATES, undefined=StrictUndefined)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) else None


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def summary(report: dict[str, Any], labels: Labels | None = None) -> list[str]:
    """A few sentences on the biggest changes, made from shown numbers only, in the current
    language."""
    labels = labels or Labels()
    lines: list[str] = []
    for name in ("28d", "7d"):
        period = report["periods"][name]
        total = period["total"]
        when = _(PERIOD_NAMES[name])
        if _count(total["current"]) is not None:
            if total["change"] is None:
                line = _("In {period} the hub counted {count} signals.")
            elif total["change_pct"]:
                line = _(
                    "In {period} the hub counted {count} signals, {change} ({pct}) against "
                    "the {days} days before."
                )
            else:
                line = _(
                    "In {period} the hub counted {count} signals, {change} against the {days} "
                    "days before."
                )
            lines.append(
                line.format(
                    period=when,
                    count=total["current"],
                    change=_signed(total["change"] or 0),
                    pct=_signed_pct(total["change_pct"] or 0),
                    days=name[:-1],
                )
            )
        for table, what in (("by_barrier", _("barrier")), ("by_region", _("region"))):
            moved = [r for r in period[table] if r["change"]]
            if moved:
                top = max(moved, key=lambda r: (abs(r["change"]), r["key"]))
                if table == "by_region":
                    key = region_name(top["key"])
                else:
                    key = labels.barrier(top["key"])
                if top["change"] > 0:
                    line = _(
                        "The largest change by {what} over {period}: {key} rose from {before} to "
                        "{now}."
                    )
                else:
                    line = _(
                        "The largest change by {what} over {period}: {key} fell from {before} to "
                        "{now}."
                    )
                lines.append(
                    line.format(
                        what=what, period=when, key=key, before=top["previous"], now=top["current"]
                    )
                )
    movers = report["periods"]["28d"]["movers"]
    for direction, sentence in (
        ("up", N_("The indicator that rose most over the last 28 days: {key} ({change}).")),
        ("down", N_("The indicator that fell most over the last 28 days: {key} ({change}).")),
    ):
        if movers[direction]:
            top = movers[direction][0]
            lines.append(
                _(sentence).format(key=labels.indicator(top["key"]), change=_signed(top["change"]))
            )
    share = report["periods"]["28d"]["multi_barrier"]["share_pct"]["current"]
    if share is not None:
        lines.append(
            _(
                "{percent} of the signals of the last 28 days sit in a proposal spanning two "
                "barriers or more."
            ).format(percent=f"{share}%")
        )
    median = report["periods"]["28d"]["median_days_to_accepted"]["current"]["days"]
    if median is not None:
        lines.append(
            _("Cases accepted in the last 28 days took a median {days} days.").format(days=median)
        )
    if not lines:
        lines.append(_("Too few signals in these periods to describe changes without risk."))
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
        ax.set_ylabel(_("signals per week"))
        ax.set_xlabel(_("week ending (month-day)"))
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
        names = [region_name(r) for r in heat["regions"]]
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
