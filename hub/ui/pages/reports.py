"""The nightly trend reports the analyst's agency may read, and each report itself."""

import datetime as dt

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from hub.covenants.policy import aggregates_allowed
from hub.deps import SessionDep
from hub.errors import Forbidden, NotFound
from hub.kit import clock
from hub.kit.i18n import N_
from hub.kit.i18n import gettext as _
from hub.reports import service
from hub.reports.render import HTML_POLICY, MEDIA_TYPES
from hub.ui.pages.deps import require_scope
from hub.ui.pages.render import page
from hub.ui.sessions import Analyst, AnalystDep

router = APIRouter()
NOT_GRANTED = N_(
    "No covenant in force grants {agency} the trend-report purpose, so its analysts may not "
    "read trend reports. The LIEC and the agencies a covenant names for trend reports can."
)


def _may_read(request: Request, session: Session, analyst: Analyst) -> bool:
    """What the API's report_reader checks: the scope, then a covenant granting aggregates."""
    require_scope(analyst, "reports:read", N_("read trend reports"))
    state = request.app.state
    viewer = state.agencies.get(session, analyst.agency_id)
    return aggregates_allowed(viewer, state.covenants, clock.today())


@router.get("/reports")
def reports(request: Request, analyst: AnalystDep, session: SessionDep) -> Response:
    """The stored reports, newest first; an explanation instead where no covenant allows it."""
    allowed = _may_read(request, session, analyst)
    rows = service.listing(session, analyst.caller()) if allowed else []
    return page(
        request,
        "reports.html",
        {
            "allowed": allowed,
            "reports": rows,
            "not_granted": _(NOT_GRANTED).format(agency=analyst.agency_code),
        },
    )


@router.get("/reports/{day}.{rendition}")
def report(
    request: Request, day: dt.date, rendition: str, analyst: AnalystDep, session: SessionDep
) -> Response:
    """One report as stored: the HTML page under its own policy, or the JSON or CSV file."""
    if rendition not in MEDIA_TYPES:
        raise NotFound(_("A report comes as .html, .json or .csv."))
    if not _may_read(request, session, analyst):
        raise Forbidden(_(NOT_GRANTED).format(agency=analyst.agency_code))
    stored = service.read(session, analyst.caller(), day, rendition)
    if stored is None:
        raise NotFound(_("There is no trend report for {day}.").format(day=day.isoformat()))
    body = {"json": stored.json_text, "html": stored.html, "csv": stored.csv}[rendition]
    headers = {}
    if rendition == "html":
        # The report is self-contained, with inline styles and SVG the UI's policy would block.
        headers["Content-Security-Policy"] = HTML_POLICY
    else:
        name = f"trend-report-{day.isoformat()}.{rendition}"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    media = MEDIA_TYPES[rendition] + ("" if rendition == "json" else "; charset=utf-8")
    return Response(body, media_type=media, headers=headers)
