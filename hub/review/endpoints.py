"""HTTP routes of the analysts' actions on a case proposal, its history and its case file.

Every action that changes a proposal needs If-Match with the ETag from GET /proposals/{id}
(428 without, 412 when it changed since) and answers with the proposal as it is now.
"""

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response, Security
from sqlalchemy.orm import Session

from hub.auth.caller import Caller
from hub.auth.tokens import authenticate
from hub.deps import (
    AgenciesDep,
    CovenantsDep,
    DataKeysDep,
    PurposeDep,
    SessionDep,
    SettingsDep,
    SignalReader,
    VocabularyDep,
)
from hub.kit import body
from hub.kit.negotiate import negotiate
from hub.linking import reads
from hub.linking.schemas import ProposalDetail
from hub.openapi import problem_responses
from hub.review import export, notices, service
from hub.review.history import history
from hub.review.schemas import (
    AssignmentIn,
    CaseNotices,
    CommentIn,
    DecisionIn,
    History,
    HistoryEvent,
    MergeIn,
    SplitIn,
    SplitOut,
    UndoIn,
)

router = APIRouter(tags=["proposals"])
Reviewer = Annotated[Caller, Security(authenticate, scopes=["proposals:review"])]
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description="The proposal's ETag, from GET /proposals/{id}."),
]
ACTION_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"headers": {"ETag": {"description": "The new version.", "schema": {"type": "string"}}}},
    **problem_responses(409, 412, 415, 428),
}
CASE_FILE_TYPES = {"json": "application/json", "html": "text/html"}
CASE_FILE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


async def json_body(request: Request) -> bytes:
    return await body.read_body(request, (body.JSON,))


Body = Annotated[bytes, Depends(json_body)]


def review_context(
    request: Request,
    caller: Reviewer,
    keys: DataKeysDep,
    covenants: CovenantsDep,
    agencies: AgenciesDep,
    settings: SettingsDep,
) -> service.Context:
    return service.Context(
        caller=caller,
        keys=keys,
        linker=request.app.state.link_worker.linker,
        covenants=covenants,
        agencies=agencies,
        case_retention_days=settings.case_retention_days,
    )


ContextDep = Annotated[service.Context, Depends(review_context)]


def _current(
    session: Session, ctx: service.Context, proposal_id: uuid.UUID, weights: Any, response: Response
) -> ProposalDetail:
    shown = reads.read_one(
        session,
        ctx.keys,
        ctx.caller,
        proposal_id,
        purpose=service.PURPOSE,
        covenants=ctx.covenants,
        agencies=ctx.agencies,
        weights=weights,
    )
    response.headers["ETag"] = f'"{shown["version"]}"'
    return ProposalDetail.model_validate(shown)


@router.post(
    "/proposals/{id:uuid}/decisions",
    summary="Accept or reject a proposal",
    response_model=ProposalDetail,
    operation_id="decideProposal",
    openapi_extra=body.request_body_doc("DecisionIn"),
    responses=ACTION_RESPONSES,
)
def decide(
    id: uuid.UUID,
    raw: Body,
    response: Response,
    ctx: ContextDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
    if_match: IfMatch = None,
) -> ProposalDetail:
    """`accept`: the proposal becomes a case with a case number, and its members are kept as
    long as the case is. `reject`: it stays rejected through re-linking, unless new signals
    join it. A reason is required."""
    data = body.validate(DecisionIn, body.parse_json(raw), {})
    service.decide(session, ctx, id, if_match, decision=data.decision, reason=data.reason)
    return _current(session, ctx, id, vocabulary.indicator_weights(), response)


@router.post(
    "/proposals/{id:uuid}/assignments",
    summary="Assign a proposal to an analyst",
    response_model=ProposalDetail,
    operation_id="assignProposal",
    openapi_extra=body.request_body_doc("AssignmentIn"),
    responses=ACTION_RESPONSES,
)
def assign(
    id: uuid.UUID,
    raw: Body,
    response: Response,
    ctx: ContextDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
    if_match: IfMatch = None,
) -> ProposalDetail:
    """Give the proposal to an analyst of your agency, or to nobody (`assignee: null`)."""
    data = body.validate(AssignmentIn, body.parse_json(raw), {})
    service.assign(session, ctx, id, if_match, assignee=data.assignee, reason=data.reason)
    return _current(session, ctx, id, vocabulary.indicator_weights(), response)


@router.post(
    "/proposals/{id:uuid}/reviews",
    summary="Start reviewing a proposal",
    response_model=ProposalDetail,
    operation_id="startProposalReview",
    responses=ACTION_RESPONSES,
)
def start_review(
    id: uuid.UUID,
    response: Response,
    ctx: ContextDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
    if_match: IfMatch = None,
) -> ProposalDetail:
    """Move a new proposal to `in_review`, so other analysts see it is being looked at."""
    service.start_review(session, ctx, id, if_match)
    return _current(session, ctx, id, vocabulary.indicator_weights(), response)


@router.post(
    "/proposals/{id:uuid}/merges",
    summary="Merge another proposal into this one",
    response_model=ProposalDetail,
    operation_id="mergeProposals",
    openapi_extra=body.request_body_doc("MergeIn"),
    responses=ACTION_RESPONSES,
)
def merge(
    id: uuid.UUID,
    raw: Body,
    response: Response,
    ctx: ContextDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
    if_match: IfMatch = None,
) -> ProposalDetail:
    """Fold `other` into this proposal. The linker keeps the two together from now on; the
    other id redirects here. Undo it with POST /undos naming the merge's history event."""
    data = body.validate(MergeIn, body.parse_json(raw), {})
    service.merge(session, ctx, id, if_match, other=data.other, reason=data.reason)
    return _current(session, ctx, id, vocabulary.indicator_weights(), response)


@router.post(
    "/proposals/{id:uuid}/splits",
    summary="Split members off into a proposal of their own",
    response_model=SplitOut,
    operation_id="splitProposal",
    openapi_extra=body.request_body_doc("SplitIn"),
    responses=ACTION_RESPONSES,
)
def split(
    id: uuid.UUID,
    raw: Body,
    response: Response,
    ctx: ContextDep,
    session: SessionDep,
    if_match: IfMatch = None,
) -> SplitOut:
    """Take the chosen members (ones you may see) out, together, into a new proposal; the
    linker keeps the two parts apart from now on. Undo it with POST /undos."""
    data = body.validate(SplitIn, body.parse_json(raw), {})
    kept, part = service.split(session, ctx, id, if_match, members=data.members, reason=data.reason)
    response.headers["ETag"] = service.etag(kept)
    return SplitOut(proposal=kept.id, part=part.id if part else None)


@router.post(
    "/proposals/{id:uuid}/undos",
    summary="Undo a merge or a split",
    response_model=ProposalDetail,
    operation_id="undoProposalChange",
    openapi_extra=body.request_body_doc("UndoIn"),
    responses=ACTION_RESPONSES,
)
def undo(
    id: uuid.UUID,
    raw: Body,
    response: Response,
    ctx: ContextDep,
    session: SessionDep,
    vocabulary: VocabularyDep,
    if_match: IfMatch = None,
) -> ProposalDetail:
    """Undo the merge or split recorded as history event `event` of this proposal: the
    constraint it added goes, the parts come back as they were."""
    data = body.validate(UndoIn, body.parse_json(raw), {})
    service.undo(session, ctx, id, if_match, event_id=data.event, reason=data.reason)
    return _current(session, ctx, id, vocabulary.indicator_weights(), response)


@router.post(
    "/proposals/{id:uuid}/comments",
    summary="Comment on a proposal",
    response_model=HistoryEvent,
    status_code=201,
    operation_id="commentOnProposal",
    openapi_extra=body.request_body_doc("CommentIn"),
    responses=problem_responses(409, 415),
)
def comment(
    id: uuid.UUID, raw: Body, ctx: ContextDep, session: SessionDep, keys: DataKeysDep
) -> HistoryEvent:
    """Add a comment to the history. It is stored encrypted, and only analysts of your agency
    read its text. Needs no If-Match: comments never conflict."""
    data = body.validate(CommentIn, body.parse_json(raw), {})
    event = service.comment(session, ctx, id, text=data.text)
    [shaped] = [e for e in history(session, keys, ctx.caller, id, set()) if e["id"] == event.pk]
    return HistoryEvent.model_validate(shaped)


@router.get(
    "/proposals/{id:uuid}/history",
    summary="A proposal's history",
    response_model=History,
    operation_id="getProposalHistory",
)
def get_history(id: uuid.UUID, ctx: ContextDep, session: SessionDep, keys: DataKeysDep) -> History:
    """What the linker and the analysts did to the proposal, oldest first. Ids of merge and
    split events are what POST /undos takes."""
    visible = service.visible_members(session, ctx, id)
    if len(visible) < 2:
        service.not_found(id)
    items = history(session, keys, ctx.caller, id, service.visible_signals(session, ctx))
    return History(items=items)


@router.get(
    "/proposals/{id:uuid}/export",
    summary="Export a case file",
    operation_id="exportProposal",
    response_class=Response,
    responses={
        200: {
            "description": "The case file as JSON, or a printable HTML page.",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/html": {"schema": {"type": "string"}},
            },
        },
        **problem_responses(406),
    },
)
def export_case(
    id: uuid.UUID,
    ctx: ContextDep,
    session: SessionDep,
    keys: DataKeysDep,
    vocabulary: VocabularyDep,
    accept: Annotated[
        str | None, Header(description="application/json (default) or text/html.")
    ] = None,
) -> Response:
    """The case file: the proposal with the members as you may see them, the explanation, the
    history and the covenants that allowed each member. The export is audited."""
    rendition = negotiate(accept, CASE_FILE_TYPES)
    shown = reads.read_one(
        session,
        keys,
        ctx.caller,
        id,
        purpose=service.PURPOSE,
        covenants=ctx.covenants,
        agencies=ctx.agencies,
        weights=vocabulary.indicator_weights(),
    )
    document = export.case_file(
        ProposalDetail.model_validate(shown).model_dump(mode="json"),
        history(session, keys, ctx.caller, id, service.visible_signals(session, ctx)),
        agency=ctx.caller.agency_code,
        actor=ctx.caller.client_id,
        purpose=service.PURPOSE,
    )
    service.exported(session, ctx, id, rendition)
    if rendition == "html":
        return Response(
            export.render_html(document),
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": CASE_FILE_POLICY, "Vary": "Accept"},
        )
    return Response(
        json.dumps(document, default=str, ensure_ascii=False),
        media_type="application/json",
        headers={"Vary": "Accept"},
    )


@router.get(
    "/signals/{id:uuid}/cases",
    summary="Accepted cases your signal is in",
    response_model=CaseNotices,
    operation_id="listSignalCases",
    tags=["signals"],
)
def signal_cases(
    id: uuid.UUID,
    caller: SignalReader,
    session: SessionDep,
    keys: DataKeysDep,
    purpose: PurposeDep,
    covenants: CovenantsDep,
    agencies: AgenciesDep,
) -> CaseNotices:
    """For the source agency: the cases analysts accepted that hold this signal, with the case
    number and the agency to contact, and the case's other signals as far as a covenant lets
    you see them for the declared `purpose` (e.g. `hit-lookup`). The nightly digest lists new
    ones."""
    found = notices.cases_of(
        session, keys, caller, id, purpose=purpose, covenants=covenants, agencies=agencies
    )
    return CaseNotices.model_validate({"items": found})
