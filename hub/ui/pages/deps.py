"""What the pages ask for: the review context the API builds, with the analyst as the caller."""

from typing import Annotated

from fastapi import Depends, Request

from hub.errors import Forbidden
from hub.review import service
from hub.ui.sessions import Analyst, AnalystDep


def require_scope(analyst: Analyst, scope: str, what: str) -> None:
    """Refuse (403) what the analyst's role does not grant, as the API refuses the scope."""
    if scope not in analyst.scopes:
        raise Forbidden(f"Your role ({analyst.role}) does not let you {what}.")


async def review_context(request: Request, analyst: AnalystDep) -> service.Context:
    """The Context of hub.review.service for this analyst (as review/endpoints.py builds it)."""
    require_scope(analyst, "proposals:review", "review case proposals")
    state = request.app.state
    return service.Context(
        caller=analyst.caller(),
        keys=state.data_keys,
        linker=state.link_worker.linker,
        covenants=state.covenants,
        agencies=state.agencies,
        case_retention_days=state.settings.case_retention_days,
    )


ReviewDep = Annotated[service.Context, Depends(review_context)]
