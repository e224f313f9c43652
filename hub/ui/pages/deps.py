"""What the pages ask for: the review context the API builds, with the analyst as the caller."""

from typing import Annotated

from fastapi import Depends, Request

from hub.covenants.viewer import build_viewer
from hub.deps import SessionDep
from hub.errors import Forbidden
from hub.kit.i18n import N_
from hub.kit.i18n import gettext as _
from hub.proposals import service
from hub.ui.roles import ROLE_NAMES
from hub.ui.sessions import Analyst, AnalystDep


def require_scope(analyst: Analyst, scope: str, what: str) -> None:
    """Refuse (403) what the analyst's role does not grant, as the API refuses the scope;
    `what` is marked for the catalogue by the caller."""
    if scope not in analyst.scopes:
        raise Forbidden(
            _("Your role ({role}) does not let you {what}.").format(
                role=_(ROLE_NAMES.get(analyst.role, analyst.role)), what=_(what)
            )
        )


def review_context(request: Request, analyst: AnalystDep, session: SessionDep) -> service.Context:
    """The Context of hub.proposals.service for this analyst (as the API builds it): a Viewer
    reading for case proposals, as the analyst."""
    require_scope(analyst, "proposals:review", N_("review case proposals"))
    state = request.app.state
    viewer = build_viewer(
        session,
        analyst.caller(),
        purpose=service.PURPOSE,
        covenants=state.covenants,
        agencies=state.agencies,
    )
    return service.Context(
        viewer=viewer,
        keys=state.data_keys,
        linker=state.link_worker.linker,
        case_retention_days=state.settings.case_retention_days,
        retention_cap_days=state.settings.retention_cap_days,
    )


ReviewDep = Annotated[service.Context, Depends(review_context)]
