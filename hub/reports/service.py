"""Building, storing and reading trend reports. Services flush; the caller owns the transaction."""

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from hub.agencies.models import AGENCY_KINDS
from hub.agencies.regions import RIEC_REGIONS
from hub.audit import service as audit
from hub.auth.caller import Caller
from hub.barriers.vocabulary import BARRIER_ORDER, Vocabulary
from hub.db import now
from hub.reports import repository
from hub.reports.build import ReportInput, build_report, earliest_day
from hub.reports.models import Report
from hub.reports.render import Labels, render_csv, render_html, render_json

# The nightly job is the hub's own act: the audit trail names the hub and this job.
REPORT_CALLER = Caller(
    agency_id=0,
    agency_code="HUB",
    client_id="hub-report",
    scopes=frozenset(),
    token_id="report",  # noqa: S106
)
RENDITIONS = ("json", "html", "csv")


@dataclass(frozen=True)
class Built:
    report_date: date
    hidden_cells: int
    replaced: bool
    seconds: float


def yesterday() -> date:
    """The default report date: yesterday in Amsterdam."""
    return repository.local_day(now()) - timedelta(days=1)


def gather(session: Session, report_date: date, vocabulary: Vocabulary) -> ReportInput:
    """The builder's input, counted by the database."""
    first = earliest_day(report_date)
    return ReportInput(
        report_date=report_date,
        barriers=BARRIER_ORDER,
        regions=tuple(RIEC_REGIONS),
        kinds=AGENCY_KINDS,
        indicators=tuple(i.code for b in vocabulary.barriers for i in b.indicators),
        signals=repository.signal_counts(session, first, report_date),
        barrier_counts=repository.barrier_counts(session, first, report_date),
        indicator_counts=repository.indicator_counts(session, first, report_date),
        proposals=repository.proposal_facts(session, report_date),
        generated_at=now(),
    )


def _labels(vocabulary: Vocabulary) -> Labels:
    return Labels(
        barriers={b.code: b.name for b in vocabulary.barriers},
        indicators={i.code: i.label for b in vocabulary.barriers for i in b.indicators},
    )


def build_and_store(
    session: Session, report_date: date, vocabulary: Vocabulary, *, language: str
) -> Built:
    """Build the report for one date and store it, replacing any earlier build of that date;
    its HTML page in `language` (the JSON and CSV have none)."""
    started = time.perf_counter()
    content = build_report(gather(session, report_date, vocabulary))
    stored = repository.by_date(session, report_date)
    replaced = stored is not None
    if stored is None:
        stored = Report(report_date=report_date)
        session.add(stored)
    stored.generated_at = datetime.fromisoformat(content["generated_at"])
    stored.schema_version = content["schema_version"]
    stored.json_text = render_json(content)
    stored.html = render_html(content, _labels(vocabulary), language=language)
    stored.csv = render_csv(content)
    hidden = content["disclosure"]["hidden_cells"]
    audit.record(
        session,
        REPORT_CALLER,
        "report.built",
        object_type="report",
        objects=[(report_date.isoformat(), {"hidden_cells": hidden, "replaced": replaced})],
        purpose="trend-report",
    )
    session.flush()
    return Built(report_date, hidden, replaced, time.perf_counter() - started)


def read(session: Session, caller: Caller, report_date: date, rendition: str) -> Report | None:
    """A stored report, its reading audited (which rendition, never its content)."""
    stored = repository.by_date(session, report_date)
    if stored is not None:
        audit.record(
            session,
            caller,
            "report.read",
            object_type="report",
            objects=[(report_date.isoformat(), {"rendition": rendition})],
            purpose="trend-report",
        )
    return stored


def listing(session: Session, caller: Caller) -> list[tuple[date, datetime, str]]:
    """The stored reports, newest first; the listing is audited too."""
    rows = repository.listing(session)
    audit.record(
        session,
        caller,
        "report.listed",
        object_type="report",
        objects=[("index", {"reports": len(rows)})],
        purpose="trend-report",
    )
    return rows
