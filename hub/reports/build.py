"""The nightly trend report's numbers, from per-day counts: aggregates, then disclosure control.

Pure: no FastAPI, no SQLAlchemy. The input is already counted (per day, region, source kind,
barrier, indicator; one row per proposal without its id), so the database does the heavy part
and this module never sees a signal. Every published count passes `disclosure.suppress`, and
every derived number (change, percentage, median, mover) is made from shown counts only.
"""

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hub.reports.disclosure import PRIMARY, SECONDARY, THRESHOLD, Key, Relation, suppress

SCHEMA_VERSION = "1.0.0"
TIME_ZONE = "Europe/Amsterdam"
PERIODS: dict[str, int] = {"day": 1, "7d": 7, "28d": 28}
WEEKS = 26
SPANS = (2, 3, 4, 5)
UNKNOWN = "unknown"  # signals from a municipality the hub cannot place in a RIEC region
# Proposals that are still a case or may become one; a rejected one is an analyst's "no".
LIVE_STATUSES = ("new", "in_review", "accepted")
MOVERS = 5

Published = int | str


@dataclass(frozen=True)
class SignalCount:
    """How many signals observed on `day` came from `region` and a source of `kind`."""

    day: date
    region: str | None
    kind: str
    in_multi_barrier: bool  # a member of a live proposal spanning two barriers or more
    count: int


@dataclass(frozen=True)
class BarrierCount:
    day: date
    barrier: str
    region: str | None
    count: int


@dataclass(frozen=True)
class IndicatorCount:
    day: date
    indicator: str
    count: int


@dataclass(frozen=True)
class ProposalFacts:
    """One proposal, without its id: what the report counts of it."""

    status: str
    barriers: int
    created: date
    decided: date | None = None
    days_to_decision: float | None = None  # from its first member's observation


@dataclass(frozen=True)
class ReportInput:
    report_date: date
    barriers: Sequence[str]
    regions: Sequence[str]
    kinds: Sequence[str]
    indicators: Sequence[str]
    signals: Sequence[SignalCount] = ()
    barrier_counts: Sequence[BarrierCount] = ()
    indicator_counts: Sequence[IndicatorCount] = ()
    proposals: Sequence[ProposalFacts] = ()
    generated_at: datetime | None = None


@dataclass(frozen=True, order=True)
class Window:
    """Whole days from `start` to `end`, both included."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def as_json(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def period_windows(report_date: date, days: int) -> tuple[Window, Window]:
    """The `days` ending on the report date, and the same number of days before them."""
    current = Window(report_date - timedelta(days=days - 1), report_date)
    previous = Window(current.start - timedelta(days=days), current.start - timedelta(days=1))
    return current, previous


def week_windows(report_date: date) -> list[Window]:
    """Seven-day weeks ending on the report date, oldest first (the last is the 7-day period)."""
    return [
        Window(report_date - timedelta(days=7 * k + 6), report_date - timedelta(days=7 * k))
        for k in reversed(range(WEEKS))
    ]


def earliest_day(report_date: date) -> date:
    """The first day any part of the report counts."""
    return min(week_windows(report_date)[0].start, period_windows(report_date, 28)[1].start)


@dataclass
class _Cells:
    """Every count the report may publish, and how they depend on each other."""

    values: dict[Key, int] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)

    def add(self, key: Key, value: int) -> Key:
        self.values[key] = value
        return key

    def relate(self, kind: str, total: Key, parts: Iterable[Key]) -> None:
        self.relations.append(Relation(kind, total, tuple(parts)))  # type: ignore[arg-type]


def _sum_by(rows: Iterable[Any], window: Window, attr: str) -> dict[Any, int]:
    out: dict[Any, int] = defaultdict(int)
    for row in rows:
        if row.day in window:
            out[getattr(row, attr)] += row.count
    return out


def build_report(data: ReportInput) -> dict[str, Any]:
    """The report as a JSON-ready dict (see report.schema.json), small cells suppressed."""
    d = data.report_date
    cells = _Cells()
    periods = {name: period_windows(d, days) for name, days in PERIODS.items()}
    weeks = week_windows(d)
    windows = sorted({w for pair in periods.values() for w in pair} | set(weeks))
    regions = [*data.regions, UNKNOWN]
    kinds = list(dict.fromkeys([*data.kinds, *sorted({r.kind for r in data.signals})]))
    by_barrier = {w: _barriers_in(data.barrier_counts, w) for w in windows}
    for w in {w for pair in periods.values() for w in pair}:
        _signal_cells(cells, data, w, regions, kinds, by_barrier[w])
        _proposal_cells(cells, data.proposals, w)
    for w in weeks:
        for b in data.barriers:
            cells.add(("barrier", w, b), by_barrier[w].get(b, 0))
    # The 28-day periods are four weeks each: a week hidden in the series stays hidden.
    for w28, span in zip(periods["28d"], (weeks[-4:], weeks[-8:-4]), strict=True):
        for b in data.barriers:
            cells.relate("sum", ("barrier", w28, b), [("barrier", w, b) for w in span])
    heat = periods["28d"][0]
    _heat_cells(cells, data, heat, regions)
    spans = _span_cells(cells, data.proposals, d)

    hidden = suppress(cells.values, cells.relations)

    def shown(key: Key) -> Published:
        return hidden.get(key, cells.values[key])

    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "report_date": d.isoformat(),
        "generated_at": _utc(data.generated_at or datetime.now(UTC)),
        "time_zone": TIME_ZONE,
        "disclosure": {
            "threshold": THRESHOLD,
            "primary": PRIMARY,
            "complementary": SECONDARY,
            "hidden_cells": len(hidden),
        },
        "periods": {},
    }
    for name, (current, previous) in periods.items():
        report["periods"][name] = _period_section(
            data, current, previous, regions, kinds, shown, cells.values, hidden
        )
    report["proposal_spans"] = {
        "as_of": d.isoformat(),
        "total": shown(spans[0]),
        "by_barrier_count": [{"key": str(n), "value": shown(k)} for n, k in spans[1]],
    }
    report["heat_map"] = {
        **heat.as_json(),
        "barriers": list(data.barriers),
        "regions": regions,
        "cells": [[shown(("heat", heat, b, r)) for r in regions] for b in data.barriers],
        "row_totals": [shown(("barrier", heat, b)) for b in data.barriers],
        "column_totals": [shown(("mentions", heat, r)) for r in regions],
        "total": shown(("mentions", heat, None)),
    }
    report["weekly"] = {
        "weeks": [w.as_json() for w in weeks],
        "series": {b: [shown(("barrier", w, b)) for w in weeks] for b in data.barriers},
    }
    return report


def _barriers_in(rows: Sequence[BarrierCount], window: Window) -> dict[str, int]:
    return _sum_by(rows, window, "barrier")


def _signal_cells(
    cells: _Cells,
    data: ReportInput,
    w: Window,
    regions: Sequence[str],
    kinds: Sequence[str],
    barriers: Mapping[str, int],
) -> None:
    rows = [r for r in data.signals if r.day in w]
    total = cells.add(("total", w), sum(r.count for r in rows))
    by_region: dict[str, int] = defaultdict(int)
    by_kind: dict[str, int] = defaultdict(int)
    multi = {True: 0, False: 0}
    for r in rows:
        by_region[r.region if r.region in data.regions else UNKNOWN] += r.count
        by_kind[r.kind] += r.count
        multi[r.in_multi_barrier] += r.count
    region_keys = [cells.add(("region", w, g), by_region.get(g, 0)) for g in regions]
    cells.relate("sum", total, region_keys)
    cells.relate("sum", total, [cells.add(("kind", w, k), by_kind.get(k, 0)) for k in kinds])
    cells.relate(
        "sum",
        total,
        [cells.add(("multi", w, True), multi[True]), cells.add(("multi", w, False), multi[False])],
    )
    barrier_keys = {b: cells.add(("barrier", w, b), barriers.get(b, 0)) for b in data.barriers}
    cells.relate("cover", total, barrier_keys.values())
    indicators = _sum_by(data.indicator_counts, w, "indicator")
    by_owner: dict[str, list[Key]] = defaultdict(list)
    for code in data.indicators:
        key = cells.add(("indicator", w, code), indicators.get(code, 0))
        by_owner[code.split(".", 1)[0]].append(key)
    for barrier, keys in by_owner.items():
        if barrier in barrier_keys:
            cells.relate("bound", barrier_keys[barrier], keys)


def _proposal_cells(cells: _Cells, proposals: Sequence[ProposalFacts], w: Window) -> None:
    cells.add(("proposals", w, "new"), sum(1 for p in proposals if p.created in w))
    for status in ("accepted", "rejected"):
        decided = sum(1 for p in proposals if p.status == status and p.decided in w)
        cells.add(("proposals", w, status), decided)
    timed = [p for p in proposals if p.status == "accepted" and p.decided in w]
    cells.add(("timed", w), sum(1 for p in timed if p.days_to_decision is not None))


def _heat_cells(cells: _Cells, data: ReportInput, w: Window, regions: Sequence[str]) -> None:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for r in data.barrier_counts:
        if r.day in w:
            region = r.region if r.region in data.regions else UNKNOWN
            counts[(r.barrier, region)] += r.count
    for b in data.barriers:
        row = [cells.add(("heat", w, b, g), counts.get((b, g), 0)) for g in regions]
        cells.relate("sum", ("barrier", w, b), row)
    columns = []
    for g in regions:
        column = [("heat", w, b, g) for b in data.barriers]
        key = cells.add(("mentions", w, g), sum(cells.values[k] for k in column))
        cells.relate("sum", key, column)
        # A signal in a region names one barrier or more: the column covers the region's count.
        cells.relate("cover", ("region", w, g), column)
        columns.append(key)
    grand = cells.add(("mentions", w, None), sum(cells.values[k] for k in columns))
    cells.relate("sum", grand, columns)
    cells.relate("sum", grand, [("barrier", w, b) for b in data.barriers])


def _span_cells(
    cells: _Cells, proposals: Sequence[ProposalFacts], d: date
) -> tuple[Key, list[tuple[int, Key]]]:
    live = [p for p in proposals if p.status in LIVE_STATUSES and p.created <= d]
    parts = [
        (n, cells.add(("span", n), sum(1 for p in live if min(p.barriers, SPANS[-1]) == n)))
        for n in SPANS
    ]
    total = cells.add(("span", None), sum(1 for p in live if p.barriers >= SPANS[0]))
    cells.relate("sum", total, [k for _, k in parts])
    return total, parts


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _compare(key: str, current: Published, previous: Published) -> dict[str, Any]:
    row: dict[str, Any] = {"key": key, "current": current, "previous": previous}
    both = isinstance(current, int) and isinstance(previous, int)
    row["change"] = current - previous if both else None  # type: ignore[operator]
    row["change_pct"] = (
        round(100 * (current - previous) / previous, 1)  # type: ignore[operator]
        if both and previous
        else None
    )
    return row


def _period_section(
    data: ReportInput,
    current: Window,
    previous: Window,
    regions: Sequence[str],
    kinds: Sequence[str],
    shown: Any,
    values: Mapping[Key, int],
    hidden: Mapping[Key, str],
) -> dict[str, Any]:
    def rows(kind: str, keys: Iterable[Any]) -> list[dict[str, Any]]:
        return [
            _compare(str(k), shown((kind, current, k)), shown((kind, previous, k))) for k in keys
        ]

    indicators = rows("indicator", data.indicators)
    movable = [r for r in indicators if r["change"]]
    section: dict[str, Any] = {
        "current": current.as_json(),
        "previous": previous.as_json(),
        "total": _compare("total", shown(("total", current)), shown(("total", previous))),
        "by_barrier": rows("barrier", data.barriers),
        "by_region": rows("region", regions),
        "by_agency_kind": rows("kind", kinds),
        "by_indicator": indicators,
        "movers": {
            "up": sorted(
                (r for r in movable if r["change"] > 0), key=lambda r: (-r["change"], r["key"])
            )[:MOVERS],
            "down": sorted(
                (r for r in movable if r["change"] < 0), key=lambda r: (r["change"], r["key"])
            )[:MOVERS],
        },
        "multi_barrier": {
            "in_proposal": _compare(
                "in_proposal", shown(("multi", current, True)), shown(("multi", previous, True))
            ),
            "not_in_proposal": _compare(
                "not_in_proposal",
                shown(("multi", current, False)),
                shown(("multi", previous, False)),
            ),
            "share_pct": {
                "current": _share(shown(("multi", current, True)), shown(("total", current))),
                "previous": _share(shown(("multi", previous, True)), shown(("total", previous))),
            },
        },
        "proposals": {
            status: _compare(
                status,
                shown(("proposals", current, status)),
                shown(("proposals", previous, status)),
            )
            for status in ("new", "accepted", "rejected")
        },
        "median_days_to_accepted": {
            "current": _median(data.proposals, current, values, hidden),
            "previous": _median(data.proposals, previous, values, hidden),
        },
    }
    return section


def _share(part: Published, whole: Published) -> float | None:
    """A percentage of shown counts only, and only on a base of at least THRESHOLD."""
    if not (isinstance(part, int) and isinstance(whole, int)) or whole < THRESHOLD:
        return None
    return round(100 * part / whole, 1)


def _median(
    proposals: Sequence[ProposalFacts],
    w: Window,
    values: Mapping[Key, int],
    hidden: Mapping[Key, str],
) -> dict[str, Any]:
    """Median days from the first signal to the accepted case, over at least THRESHOLD cases."""
    basis = ("timed", w)
    n = values[basis]
    days = [
        p.days_to_decision
        for p in proposals
        if p.status == "accepted" and p.decided in w and p.days_to_decision is not None
    ]
    median = round(statistics.median(days), 1) if n >= THRESHOLD else None
    return {"days": median, "cases": hidden.get(basis, n)}
