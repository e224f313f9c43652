"""The review queue: the proposals the analyst may see, filtered, strongest first, paged."""

from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from hub.agencies.regions import RIEC_REGIONS
from hub.covenants.model import Agency
from hub.deps import SessionDep, VocabularyDep
from hub.errors import InvalidInput
from hub.kit.i18n import N_
from hub.kit.i18n import gettext as _
from hub.linking.models import PROPOSAL_STATUSES
from hub.proposals import reads, service
from hub.ui.pages.deps import ReviewDep
from hub.ui.pages.render import page, wants_partial

router = APIRouter()
PAGE_SIZE = 25
# "open" is the default: what still waits for a decision. Merged ones live on in another.
STATUSES = ("open", *(s for s in PROPOSAL_STATUSES if s != "merged"), "all")
SORTS = ("score", "newest")
DONE = {
    "dissolved": N_("Split: neither part has two signals left, so the proposal is no more."),
}


@dataclass(frozen=True)
class Filters:
    """The queue form's values as the analyst chose them ('' for any)."""

    status: str = "open"
    barrier: str = ""
    agency: str = ""
    region: str = ""
    min_score: str = ""
    sort: str = "score"

    def query(self, **extra: str) -> str:
        """The query string that asks for this view again (plus `extra`)."""
        values = {k: v for k, v in asdict(self).items() if v} | extra
        return urlencode(values)


def _home_region(viewer: Agency) -> str:
    """Where the form starts: a RIEC's or municipality's own region, as the API's default."""
    return viewer.region if viewer.kind in service.REGIONAL_KINDS and viewer.region else "all"


def _where(filters: Filters, barriers: frozenset[str]) -> reads.QueueFilter:
    if filters.status not in STATUSES:
        raise _invalid("status", _("one of {values}").format(values=", ".join(STATUSES)))
    if filters.barrier and filters.barrier not in barriers:
        raise _invalid("barrier", _("not a barrier of the model"))
    if filters.region not in ("all", *RIEC_REGIONS):
        raise _invalid("region", _("not a RIEC region"))
    if filters.sort not in SORTS:
        raise _invalid("sort", _("score or newest"))
    try:
        min_score = float(filters.min_score) if filters.min_score else None
    except ValueError:
        raise _invalid("min_score", _("a number")) from None
    if min_score is not None and min_score < 0:
        raise _invalid("min_score", _("zero or more"))
    return reads.QueueFilter(
        status=None if filters.status == "all" else filters.status,
        barrier=filters.barrier or None,
        agency=filters.agency or None,
        region=None if filters.region == "all" else filters.region,
        min_score=min_score,
    )


def _invalid(name: str, expected: str) -> InvalidInput:
    return InvalidInput(
        _("The queue cannot be filtered so: {name} must be {expected}.").format(
            name=name, expected=expected
        ),
        errors=[{"in": "query", "name": name, "detail": expected}],
    )


def _agency_codes(session: Session, ctx: service.Context) -> list[str]:
    return sorted(a.code for a in ctx.viewer.agencies.values())


@router.get("/proposals")
def queue(
    request: Request,
    ctx: ReviewDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
    status: str = "open",
    barrier: str = "",
    agency: str = "",
    region: str = "",
    min_score: str = "",
    sort: str = "score",
    cursor: str | None = None,
    done: str | None = None,
) -> Response:
    """The queue; an htmx request (the filter form changed) gets the results table only."""
    viewer = ctx.viewer.agency
    filters = Filters(
        status=status,
        barrier=barrier.strip(),
        agency=agency.strip(),
        region=region or _home_region(viewer),
        min_score=min_score.strip(),
        sort=sort,
    )
    where = _where(filters, vocabulary.barrier_codes())
    items, next_cursor = reads.read_page_with_cursor(
        session,
        ctx.keys,
        ctx.viewer,
        where=where,
        cursor=cursor,
        limit=PAGE_SIZE,
        weights=vocabulary.indicator_weights(),
    )
    if filters.sort == "newest":
        # The queue is read strongest first (as the API pages it); this orders the page read.
        items.sort(key=lambda p: p["created_at"], reverse=True)
    context = {
        "filters": filters,
        "items": items,
        "next_query": filters.query(cursor=next_cursor) if next_cursor else None,
        "first_query": filters.query() if cursor else None,
        "statuses": STATUSES,
        "regions": RIEC_REGIONS,
        "agency_codes": _agency_codes(session, ctx),
        "home_region": _home_region(viewer),
        "notice": _(DONE.get(done or "", "")),
    }
    if wants_partial(request):
        return page(request, "_queue_results.html", context)
    return page(request, "queue.html", context)
