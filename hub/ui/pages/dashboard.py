"""The dashboard: open proposals the analyst may see, per barrier and per region."""

from fastapi import APIRouter, Request, Response

from hub.agencies.regions import RIEC_REGIONS
from hub.deps import SessionDep
from hub.proposals import reads
from hub.ui.pages.deps import ReviewDep
from hub.ui.pages.render import page

router = APIRouter()


def _rows(counts: dict[str, int], order: list[str]) -> list[tuple[str, int, int]]:
    """(key, count, percent of the largest) in `order`, then any other key the counts hold."""
    keys = [k for k in order if k in counts] + sorted(set(counts) - set(order))
    top = max(counts.values(), default=0)
    return [(k, counts[k], round(100 * counts[k] / top) if top else 0) for k in keys]


@router.get("/dashboard")
def dashboard(request: Request, ctx: ReviewDep, session: SessionDep) -> Response:
    """Counts from the same read as the API's queue: members the analyst may see only."""
    vocabulary = request.app.state.vocabulary
    counts = reads.open_counts(session, ctx.viewer, weights=vocabulary.indicator_weights())
    barrier_order = [b.code for b in vocabulary.barriers]
    return page(
        request,
        "dashboard.html",
        {
            "by_barrier": _rows(counts["barriers"], barrier_order),
            "by_region": _rows(counts["regions"], list(RIEC_REGIONS)),
            "regions": RIEC_REGIONS,
        },
    )
