"""HTTP routes of the trend reports: for agencies a covenant grants the trend-report purpose."""

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Response, Security

from hub.auth.caller import Caller
from hub.covenants.policy import aggregates_allowed
from hub.covenants.viewer import Viewer
from hub.deps import SessionDep, viewer_for
from hub.errors import Forbidden, InvalidInput, NotFound
from hub.kit.negotiate import negotiate
from hub.openapi import problem_responses
from hub.reports import service
from hub.reports.render import HTML_POLICY, MEDIA_TYPES
from hub.reports.schemas import ReportLinks, ReportList, ReportSummary

router = APIRouter(tags=["reports"])

_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.(json|html|csv))?$")


# Reports serve one purpose, so declaring it is optional (a partner's reader that never sent
# one keeps working); any other purpose is a 400 that names it.
TrendReader = Annotated[
    Viewer, Security(viewer_for("trend-report", default="trend-report"), scopes=["reports:read"])
]


def report_reader(viewer: TrendReader) -> Caller:
    """The caller, if a covenant in force lets its agency read aggregates (trend-report)."""
    if not aggregates_allowed(viewer.agency, viewer.covenants, viewer.today):
        raise Forbidden(
            "No covenant in force grants your agency the trend-report purpose, "
            "so it may not read trend reports."
        )
    return viewer.caller


ReportReader = Annotated[Caller, Depends(report_reader)]


def _links(day: dt.date) -> ReportLinks:
    base = f"/api/v1/reports/{day.isoformat()}"
    return ReportLinks(json=base, html=f"{base}.html", csv=f"{base}.csv")


@router.get(
    "/reports",
    summary="List the trend reports",
    response_model=ReportList,
    operation_id="listReports",
)
def list_reports(caller: ReportReader, session: SessionDep) -> ReportList:
    """Every stored nightly trend report, newest first, with links to its JSON, HTML and CSV
    renditions. For agencies that a covenant in force grants the `trend-report` purpose."""
    return ReportList(
        items=[
            ReportSummary(
                report_date=day, generated_at=at, schema_version=version, links=_links(day)
            )
            for day, at, version in service.listing(session, caller)
        ]
    )


@router.get(
    "/reports/{date}",
    summary="Get a trend report",
    operation_id="getReport",
    response_class=Response,
    responses={
        200: {
            "description": "The report in the rendition asked for.",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Report"}},
                "text/html": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        },
        **problem_responses(406),
    },
)
def get_report(
    caller: ReportReader,
    session: SessionDep,
    date: Annotated[
        str,
        Path(
            description="The report date, YYYY-MM-DD; add `.html` or `.csv` for that rendition.",
            pattern=_DATE.pattern,
            examples=["2026-11-24", "2026-11-24.html"],
        ),
    ],
    accept: Annotated[
        str | None, Header(description="application/json (default), text/html or text/csv.")
    ] = None,
) -> Response:
    """One nightly trend report: JSON by default (schema `Report`, versioned by
    `schema_version`), the printable HTML page for `Accept: text/html` or `.html`, the tidy CSV
    table (section, period, from, to, dimension, key, value) for `Accept: text/csv` or `.csv`."""
    found = _DATE.match(date)
    assert found is not None  # the path pattern has been checked
    try:
        day = dt.date.fromisoformat(found.group(1))
    except ValueError:
        raise InvalidInput(
            "The report date is not a calendar date.",
            errors=[{"in": "path", "name": "date", "detail": "not a valid date"}],
        ) from None
    rendition = found.group(2) or negotiate(accept, MEDIA_TYPES)
    stored = service.read(session, caller, day, rendition)
    if stored is None:
        raise NotFound(f"There is no trend report for {day.isoformat()}.")
    body = {"json": stored.json_text, "html": stored.html, "csv": stored.csv}[rendition]
    headers = {"Vary": "Accept"}
    if rendition == "html":
        headers["Content-Security-Policy"] = HTML_POLICY
    if rendition == "csv":
        headers["Content-Disposition"] = f'inline; filename="trend-report-{day.isoformat()}.csv"'
    media = MEDIA_TYPES[rendition]
    if rendition != "json":
        media += "; charset=utf-8"
    return Response(body, media_type=media, headers=headers)
