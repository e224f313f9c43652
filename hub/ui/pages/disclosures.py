"""The source agency's disclosure requests: pending items about its own signals, each granted
or refused with a reason through the same service as the API (hub.proposals.disclosures)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from hub.deps import SessionDep
from hub.errors import HubError
from hub.kit.i18n import N_
from hub.kit.i18n import gettext as _
from hub.proposals import disclosures
from hub.proposals.schemas import DisclosureDecisionIn
from hub.ui.pages.actions import _valid
from hub.ui.pages.deps import require_scope
from hub.ui.pages.render import page
from hub.ui.sessions import Analyst, AnalystDep

router = APIRouter()
Field = Annotated[str, Form()]
DONE = {
    "granted": N_("Granted: the requester may now read that signal for investigation."),
    "refused": N_("Refused: the signal stays closed to the requester."),
}


def _may_decide(analyst: Analyst) -> None:
    # Every UI role reviews for its agency; consent for the agency's own signals is given by
    # its analysts (API clients need signals:write, the scope of the signal's owner).
    require_scope(analyst, "proposals:review", N_("answer disclosure requests"))


def _render(
    request: Request,
    session: Session,
    analyst: Analyst,
    *,
    done: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    keys = request.app.state.data_keys
    items = disclosures.inbox_page(
        session, keys, analyst.caller(), status="pending", after=None, limit=100
    )
    return page(
        request,
        "disclosures.html",
        {"items": items, "done": _(DONE.get(done or "", "")), "error": error},
        status_code=status_code,
    )


@router.get("/disclosures")
def pending(
    request: Request, analyst: AnalystDep, session: SessionDep, done: str | None = None
) -> Response:
    """The pending items about the agency's own signals, oldest first (the first hundred)."""
    _may_decide(analyst)
    return _render(request, session, analyst, done=done)


@router.post("/disclosures/{request_id:uuid}/items/{signal_id:uuid}")
def decide(
    request: Request,
    request_id: uuid.UUID,
    signal_id: uuid.UUID,
    analyst: AnalystDep,
    session: SessionDep,
    decision: Field = "",
    reason: Field = "",
) -> Response:
    """Grant or refuse one item; back to the list with a flash, or the list with what failed."""
    _may_decide(analyst)
    keys = request.app.state.data_keys
    try:
        data = _valid(DisclosureDecisionIn, decision=decision, reason=reason)
        found = disclosures.decide(
            session,
            keys,
            analyst.caller(),
            request_id,
            signal_id,
            decision=data.decision,
            reason=data.reason,
        )
    except HubError as exc:
        session.rollback()  # nothing of a failed decision stays
        return _render(request, session, analyst, error=exc.translated(), status_code=exc.status)
    return RedirectResponse(f"/ui/disclosures?done={found.item.status}", status_code=303)
