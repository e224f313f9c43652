"""The proposal page's forms: each calls the same hub.proposals.service function as the API.

A form carries the version the analyst saw as `if_match`; success redirects back to the page
(303) with a flash, failure shows the page as it is now with what went wrong and nothing
changed (the transaction is rolled back first).
"""

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from hub.deps import SessionDep, VocabularyDep
from hub.errors import (
    Conflict,
    Forbidden,
    HubError,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)
from hub.kit.i18n import N_, ngettext
from hub.kit.i18n import gettext as _
from hub.proposals import service
from hub.proposals.schemas import (
    ASSESSMENT_CRITERIA,
    AssignmentIn,
    CommentIn,
    DecisionIn,
    MergeIn,
    SplitIn,
    UndoIn,
)
from hub.ui.pages.deps import ReviewDep
from hub.ui.pages.proposal import render

router = APIRouter()
Field = Annotated[str, Form()]
STALE = N_(
    "Someone else changed this proposal since you opened it; here it is as it is now. "
    "Check it and decide again."
)
LABELS = {
    "decision": N_("Decision"),
    "reason": N_("Reason"),
    "assignee": N_("Assignee"),
    "other": N_("Other proposal"),
    "members": N_("Members"),
    "event": N_("Change to undo"),
    "text": N_("Comment"),
    "assessment": N_("Signal assessment"),
    "kind": N_("Kind"),
    "ground": N_("Ground"),
    "note": N_("Note"),
    "notes": N_("Notes"),
    **dict(ASSESSMENT_CRITERIA),
}


def _valid(model: type[BaseModel], **fields: Any) -> Any:
    """The form's fields checked by the API's own input model, or a 400 naming each problem."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        # The innermost field names the problem (an assessment's criterion, not "assessment").
        problems = [
            _("{field}: {problem}.").format(
                field=_(LABELS.get(str(e["loc"][-1]), str(e["loc"][-1])))
                if e["loc"]
                else _("Form"),
                problem=_problem(e),
            )
            for e in exc.errors()
        ]
        raise InvalidInput(" ".join(problems)) from None


def _problem(error: Any) -> str:
    """Pydantic's message about one field, in the page's language (its English as it is)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "string_too_short":
        n = ctx["min_length"]
        return ngettext(
            "String should have at least {n} character",
            "String should have at least {n} characters",
            n,
        ).format(n=n)
    if kind == "string_too_long":
        n = ctx["max_length"]
        return ngettext(
            "String should have at most {n} character",
            "String should have at most {n} characters",
            n,
        ).format(n=n)
    if kind == "missing":
        return _("Field required")
    # Our own validators' messages are marked for the catalogue where they are raised.
    return _(error["msg"].removeprefix("Value error, "))


def _version(if_match: str) -> str | None:
    """The If-Match the API would get: the page's version as an ETag; none if the form had none."""
    value = if_match.strip()
    return f'"{value}"' if value else None


def _message(exc: HubError) -> str:
    if isinstance(exc, PreconditionFailed):
        return _(STALE)
    if isinstance(exc, PreconditionRequired):
        return _("This form did not say which version of the proposal you saw. Reload the page.")
    if isinstance(exc, Conflict):
        return _("{problem} Someone else may have changed it; here it is as it is now.").format(
            problem=exc.translated()
        )
    details = "; ".join(_(e["detail"]) for e in exc.errors or () if e.get("detail"))
    return f"{exc.translated()} ({details})" if details else exc.translated()


def _back(proposal_id: uuid.UUID, done: str) -> str:
    return f"/ui/proposals/{proposal_id}?done={done}"


def _act(
    request: Request,
    session: Session,
    ctx: service.Context,
    weights: dict[str, float],
    proposal_id: uuid.UUID,
    action: Callable[[], str],
) -> Response:
    """Run `action` (it returns where to go: usually back, with a flash); on failure show why."""
    try:
        done = action()
    except Forbidden:
        raise
    except HubError as exc:
        session.rollback()  # nothing of a failed action stays, not even a part of it
        # Another proposal or event not found is a mistake in this form, not a missing page.
        status = 400 if isinstance(exc, NotFound) else exc.status
        return render(
            request, session, ctx, proposal_id, weights, error=_message(exc), status_code=status
        )
    return RedirectResponse(done, status_code=303)


@router.post("/proposals/{proposal_id:uuid}/review")
def start_review(
    request: Request,
    proposal_id: uuid.UUID,
    ctx: ReviewDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
    if_match: Field = "",
) -> Response:
    """Start reviewing a new proposal."""

    def act() -> str:
        service.start_review(session, ctx, proposal_id, _version(if_match))
        return _back(proposal_id, "review-started")

    return _act(request, session, ctx, vocabulary.indicator_weights(), proposal_id, act)


@router.post("/proposals/{proposal_id:uuid}/assign")
def assign(
    request: Request,
    proposal_id: uuid.UUID,
    ctx: ReviewDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
    if_match: Field = "",
    assignee: Field = "",
    reason: Field = "",
) -> Response:
    """Give the proposal to an analyst of the agency (empty: to nobody)."""

    def act() -> str:
        data = _valid(AssignmentIn, assignee=assignee.strip() or None, reason=reason or None)
        service.assign(
            session,
            ctx,
            proposal_id,
            _version(if_match),
            assignee=data.assignee,
            reason=data.reason,
        )
        return _back(proposal_id, "assigned")

    return _act(request, session, ctx, vocabulary.indicator_weights(), proposal_id, act)


@router.post("/proposals/{proposal_id:uuid}/decide")
def decide(
    request: Request,
    proposal_id: uuid.UUID,
    ctx: ReviewDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
    if_match: Field = "",
    decision: Field = "",
    reason: Field = "",
    kinds_of_signals: Field = "",
    number_nature_and_size: Field = "",
    weight_and_earlier_interventions: Field = "",
    participants_and_connections: Field = "",
) -> Response:
    """Accept (it becomes a case) with the signal assessment, or reject, with a reason."""

    def act() -> str:
        criteria = {
            "kinds_of_signals": kinds_of_signals,
            "number_nature_and_size": number_nature_and_size,
            "weight_and_earlier_interventions": weight_and_earlier_interventions,
            "participants_and_connections": participants_and_connections,
        }
        # The reject form has no assessment fields; the accept form sends all four, and an
        # empty one is refused by the API's own model with the criterion's name.
        assessment = criteria if decision == "accept" else None
        data = _valid(DecisionIn, decision=decision, reason=reason, assessment=assessment)
        service.decide(
            session,
            ctx,
            proposal_id,
            _version(if_match),
            decision=data.decision,
            reason=data.reason,
            assessment=data.assessment.model_dump() if data.assessment else None,
        )
        return _back(proposal_id, "accepted" if data.decision == "accept" else "rejected")

    return _act(request, session, ctx, vocabulary.indicator_weights(), proposal_id, act)


@router.post("/proposals/{proposal_id:uuid}/merge")
def merge(
    request: Request,
    proposal_id: uuid.UUID,
    ctx: ReviewDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
    if_match: Field = "",
    other: Field = "",
    reason: Field = "",
) -> Response:
    """Fold another proposal (by its id) into this one."""

    def act() -> str:
        data = _valid(MergeIn, other=other.strip(), reason=reason)
        service.merge(
            session, ctx, proposal_id, _version(if_match), other=data.other, reason=data.reason
        )
        return _back(proposal_id, "merged")

    return _act(request, session, ctx, vocabulary.indicator_weights(), proposal_id, act)


@router.post("/proposals/{proposal_id:uuid}/split")
def split(
    request: Request,
    proposal_id: uuid.UUID,
    ctx: ReviewDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
    if_match: Field = "",
    members: Annotated[list[str] | None, Form()] = None,
    reason: Field = "",
) -> Response:
    """Take the ticked members out into a proposal of their own."""

    def act() -> str:
        data = _valid(SplitIn, members=members or [], reason=reason)
        _, part = service.split(
            session, ctx, proposal_id, _version(if_match), members=data.members, reason=data.reason
        )
        if len(service.visible_members(session, ctx, proposal_id)) >= 2:
            if part is None:
                return _back(proposal_id, "split-one")
            return _back(proposal_id, "split") + f"&part={part.id}"
        # What was left behind is one signal, no proposal any more: show what was split off.
        if part is not None:
            return _back(part.id, "split-off")
        return "/ui/proposals?done=dissolved"

    return _act(request, session, ctx, vocabulary.indicator_weights(), proposal_id, act)


@router.post("/proposals/{proposal_id:uuid}/undo")
def undo(
    request: Request,
    proposal_id: uuid.UUID,
    ctx: ReviewDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
    if_match: Field = "",
    event: Field = "",
    reason: Field = "",
) -> Response:
    """Undo a merge or a split recorded in the history."""

    def act() -> str:
        data = _valid(UndoIn, event=event, reason=reason)
        service.undo(
            session, ctx, proposal_id, _version(if_match), event_id=data.event, reason=data.reason
        )
        return _back(proposal_id, "undone")

    return _act(request, session, ctx, vocabulary.indicator_weights(), proposal_id, act)


@router.post("/proposals/{proposal_id:uuid}/comment")
def comment(
    request: Request,
    proposal_id: uuid.UUID,
    ctx: ReviewDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
    text: Field = "",
) -> Response:
    """Add a comment (comments never conflict: no version needed)."""

    def act() -> str:
        data = _valid(CommentIn, text=text)
        service.comment(session, ctx, proposal_id, text=data.text)
        return _back(proposal_id, "commented") + "#history"

    return _act(request, session, ctx, vocabulary.indicator_weights(), proposal_id, act)
