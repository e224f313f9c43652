"""A signal's page: the signal at the analyst's level, and the proposals it is in."""

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from hub.deps import SessionDep
from hub.proposals import reads, service
from hub.signals import reads as signal_reads
from hub.ui.pages import pseudonyms
from hub.ui.pages.deps import ReviewDep
from hub.ui.pages.render import page
from hub.ui.pages.repository import proposals_holding

router = APIRouter()


def _proposals_with(
    session: Session, ctx: service.Context, signal_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The proposals holding the signal that the analyst may see (two members or more).

    Only what is the proposal's own (status, case number, dates) is shown here: its barriers,
    agencies and score depend on which members the viewer sees, which its own page works out.
    """
    return [
        {"id": p.id, "status": p.status, "case_number": p.case_number, "created_at": p.created_at}
        for p in proposals_holding(session, signal_id)
        if reads.may_see(session, ctx.viewer, p.id)
    ]


@router.get("/signals/{signal_id:uuid}")
def signal_page(
    request: Request, signal_id: uuid.UUID, ctx: ReviewDep, session: SessionDep
) -> Response:
    """One signal as the analyst may see it for case proposals (404 when not at all)."""
    signal, _ = signal_reads.read_one(session, ctx.keys, ctx.viewer, signal_id)
    pseudonyms.annotate(session, ctx.keys, ctx.viewer, signal)
    return page(
        request,
        "signal.html",
        {"signal": signal, "proposals": _proposals_with(session, ctx, signal_id)},
    )
