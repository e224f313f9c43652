"""HTTP routes of case proposals: the queue and one proposal read through the covenant policy,
the analysts' actions on a proposal, its history and its case file.

Every action that changes a proposal needs If-Match with the ETag from GET /proposals/{id}
(428 without, 412 when it changed since) and answers with the proposal as it is now. Only an
agency a covenant rule names as a reviewer of the proposal may act on it (403 otherwise, after
the 404 of a proposal it may not see); any agency that sees it may comment.
"""

import json
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response, Security
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from hub.auth.caller import Caller
from hub.auth.tokens import authenticate
from hub.barriers.schemas import BarrierCode
from hub.covenants.viewer import Viewer
from hub.deps import (
    DataKeysDep,
    SessionDep,
    SettingsDep,
    SignalWriter,
    VocabularyDep,
    viewer_acting_for,
    viewer_for,
)
from hub.errors import NotFound
from hub.kit import body
from hub.kit.crypto import DataKeys
from hub.kit.i18n import HTML_LANGUAGE
from hub.kit.i18n import negotiate as negotiate_language
from hub.kit.negotiate import negotiate
from hub.kit.pagination import decode_cursor, encode_cursor, next_link, scope
from hub.kit.times import Instant
from hub.openapi import problem_responses
from hub.proposals import disclosures, export, notices, reads, reviewers, service
from hub.proposals.history import history
from hub.proposals.schemas import (
    AssignmentIn,
    CaseNotices,
    CommentIn,
    DecisionIn,
    DisclosureDecisionIn,
    DisclosureItemOut,
    DisclosureItemPage,
    DisclosureItemStatus,
    DisclosureRequestIn,
    DisclosureRequestOut,
    DisclosureRequestPage,
    DisclosureRequestView,
    History,
    HistoryEvent,
    MergeIn,
    ProposalDetail,
    ProposalPage,
    ProposalStatus,
    RevocationIn,
    SplitIn,
    SplitOut,
    UndoIn,
)

router = APIRouter(tags=["proposals"])
# The queue and a proposal serve preparing cases and, once accepted, investigating them; the
# actions always serve case-proposal.
ReadingReviewer = Annotated[
    Viewer, Security(viewer_for("case-proposal", "investigation"), scopes=["proposals:review"])
]
ActingReviewer = Annotated[
    Viewer, Security(viewer_acting_for(service.PURPOSE), scopes=["proposals:review"])
]
CaseReader = Annotated[
    Viewer, Security(viewer_for("case-proposal", "investigation"), scopes=["signals:read"])
]
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description="The proposal's ETag, from GET /proposals/{id}."),
]
ACTION_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"headers": {"ETag": {"description": "The new version.", "schema": {"type": "string"}}}},
    **problem_responses(403, 409, 412, 415, 428),
}
CASE_FILE_TYPES = {"json": "application/json", "html": "text/html"}
CASE_FILE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
ETAG_HEADER = {"description": "The proposal's version, for If-Match.", "schema": {"type": "string"}}


async def json_body(request: Request) -> bytes:
    return await body.read_body(request, (body.JSON,))


Body = Annotated[bytes, Depends(json_body)]


def review_context(
    request: Request, viewer: ActingReviewer, keys: DataKeysDep, settings: SettingsDep
) -> service.Context:
    return service.Context(
        viewer=viewer,
        keys=keys,
        linker=request.app.state.link_worker.linker,
        case_retention_days=settings.case_retention_days,
        retention_cap_days=settings.retention_cap_days,
    )


ContextDep = Annotated[service.Context, Depends(review_context)]


def _detail(
    session: Session, keys: DataKeys, viewer: Viewer, proposal_id: uuid.UUID, weights: Any
) -> dict[str, Any]:
    """The proposal as the viewer sees it, and whether the viewer may act on it."""
    shown = reads.read_one(session, keys, viewer, proposal_id, weights=weights)
    return shown | {"may_review": reviewers.may_review(session, viewer, proposal_id)}


def _current(
    session: Session, ctx: service.Context, proposal_id: uuid.UUID, weights: Any, response: Response
) -> ProposalDetail:
    shown = _detail(session, ctx.keys, ctx.viewer, proposal_id, weights)
    response.headers["ETag"] = f'"{shown["version"]}"'
    return ProposalDetail.model_validate(shown)


@router.get(
    "/proposals",
    summary="List case proposals",
    response_model=ProposalPage,
    operation_id="listProposals",
    responses={
        200: {
            "headers": {
                "Link": {
                    "description": "RFC 8288 link to the next page.",
                    "schema": {"type": "string"},
                }
            }
        }
    },
)
def list_proposals(
    request: Request,
    response: Response,
    viewer: ReadingReviewer,
    session: SessionDep,
    keys: DataKeysDep,
    vocabulary: VocabularyDep,
    status: Annotated[
        ProposalStatus | Literal["open"] | None,
        Query(description="One status, or `open` for new and in review. Default: all."),
    ] = None,
    barrier: Annotated[BarrierCode | None, Query(description="Spans this barrier.")] = None,
    agency: Annotated[
        str | None, Query(max_length=40, description="Holds a signal of this agency.")
    ] = None,
    region: Annotated[
        str | None,
        Query(
            max_length=40,
            description="Holds a signal from this RIEC region; `all` for every region. "
            "Default: your own region for RIECs and municipalities, every region for others.",
        ),
    ] = None,
    min_score: Annotated[
        float | None, Query(alias="minScore", ge=0, description="Score at least this.")
    ] = None,
    created_from: Annotated[
        Instant | None, Query(alias="createdFrom", description="Proposed at or after this.")
    ] = None,
    created_to: Annotated[
        Instant | None, Query(alias="createdTo", description="Proposed before this time.")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ProposalPage:
    """The review queue: clusters of linked signals in which you may see at least two members
    for the declared `purpose`, strongest first. Barriers, agencies and the score are those of
    the members you may see, and the filters apply to what you see."""
    where = reads.QueueFilter(
        status=status,
        barrier=barrier,
        agency=agency,
        region=service.queue_region(viewer.agency, region),
        min_score=min_score,
        created_from=created_from,
        created_to=created_to,
    )
    items, next_cursor = reads.read_page_with_cursor(
        session,
        keys,
        viewer,
        where=where,
        cursor=cursor,
        limit=limit,
        weights=vocabulary.indicator_weights(),
    )
    if next_cursor:
        response.headers["Link"] = next_link(request.url, next_cursor)
    return ProposalPage.model_validate({"items": items, "next_cursor": next_cursor})


@router.get(
    "/proposals/{id:uuid}",
    summary="Get a case proposal",
    response_model=ProposalDetail,
    operation_id="getProposal",
    responses={
        200: {"headers": {"ETag": ETAG_HEADER}},
        307: {
            "description": "The proposal was merged into another: Location names it.",
            "headers": {"Location": {"schema": {"type": "string"}}},
        },
    },
)
def get_proposal(
    id: uuid.UUID,
    request: Request,
    response: Response,
    viewer: ReadingReviewer,
    session: SessionDep,
    keys: DataKeysDep,
    vocabulary: VocabularyDep,
) -> Any:
    """One proposal: the members you may see (each redacted to your level), the barriers and
    agencies they span, the score and its parts, which shared values link which members, and
    a graph of them. A proposal of which you may see fewer than two members does not exist for
    you: 404. A proposal merged into another redirects there (307). The ETag is the version
    to send as If-Match with a decision."""
    target = service.resolve(session, id)
    if target != id:
        if not reads.may_see(session, viewer, target):
            raise NotFound(f"There is no proposal {id} that you may see for this purpose.")
        location = str(request.url).replace(str(id), str(target), 1)
        return RedirectResponse(location, status_code=307)
    shown = _detail(session, keys, viewer, id, vocabulary.indicator_weights())
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
    long as the case is, within the WGS cap of five years from their first processing. It
    records the signal assessment (WGS art. 2.23): four criteria, each required, sealed at
    rest. `reject`: it stays rejected through re-linking, unless new signals join it. A reason
    is required."""
    data = body.validate(DecisionIn, body.parse_json(raw), {})
    service.decide(
        session,
        ctx,
        id,
        if_match,
        decision=data.decision,
        reason=data.reason,
        assessment=data.assessment.model_dump() if data.assessment else None,
    )
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
    settings: SettingsDep,
    accept: Annotated[
        str | None, Header(description="application/json (default) or text/html.")
    ] = None,
    accept_language: Annotated[str | None, Header(description=HTML_LANGUAGE)] = None,
) -> Response:
    """The case file: the proposal with the members as you may see them, the explanation, the
    history, the signal assessment of its acceptance (WGS art. 2.23; for the accepting agency),
    its retention with any extension past the WGS cap (art. 1.8(7)) and the covenants that
    allowed each member. The export is audited."""
    rendition = negotiate(accept, CASE_FILE_TYPES)
    shown = _detail(session, keys, ctx.viewer, id, vocabulary.indicator_weights())
    document = export.case_file(
        ProposalDetail.model_validate(shown).model_dump(mode="json"),
        history(session, keys, ctx.caller, id, service.visible_signals(session, ctx)),
        agency=ctx.caller.agency_code,
        actor=ctx.caller.client_id,
        purpose=service.PURPOSE,
        retention=service.case_retention(session, ctx, id, shown["members"]),
    )
    service.exported(session, ctx, id, rendition)
    if rendition == "html":
        return Response(
            export.render_html(
                document,
                barrier_names={b.code: b.name for b in vocabulary.barriers},
                language=negotiate_language(accept_language, default=settings.language),
            ),
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
    viewer: CaseReader,
    session: SessionDep,
    keys: DataKeysDep,
) -> CaseNotices:
    """For the source agency: the cases analysts accepted that hold this signal, with the case
    number and the agency to contact, and the case's other signals as far as a covenant lets
    you see them for the declared `purpose`. The nightly digest lists new ones."""
    found = notices.cases_of(session, keys, viewer, id)
    return CaseNotices.model_validate({"items": found})


# Disclosure requests: the accepting agency asks the sources; each source decides per signal.
Requester = Annotated[Caller, Security(authenticate, scopes=["proposals:review"])]
LINK_HEADER = {
    "headers": {
        "Link": {"description": "RFC 8288 link to the next page.", "schema": {"type": "string"}}
    }
}


def _request_view(request: Any, granted: list[uuid.UUID]) -> DisclosureRequestView:
    return DisclosureRequestView(
        id=request.id,
        proposal=request.proposal_id,
        status=disclosures.FILED,
        created_at=request.created_at,
        granted=granted,
    )


def _item_out(found: disclosures.InboxItem) -> DisclosureItemOut:
    item, request = found.item, found.request
    return DisclosureItemOut(
        request=request.id,
        signal_id=item.signal_id,
        requested_by=request.agency,
        case_number=found.case_number,
        reason=found.reason,
        status=item.status,  # type: ignore[arg-type]
        requested_at=request.created_at,
        decided_at=item.decided_at,
        revoked_at=item.revoked_at,
    )


@router.post(
    "/proposals/{id:uuid}/disclosure-requests",
    summary="Ask the sources to disclose a case's other members",
    response_model=DisclosureRequestOut,
    status_code=201,
    operation_id="requestDisclosure",
    tags=["proposals"],
    openapi_extra=body.request_body_doc("DisclosureRequestIn"),
    responses={
        201: {
            "headers": {"Location": {"description": "The request.", "schema": {"type": "string"}}}
        },
        **problem_responses(403, 409, 415),
    },
)
def request_disclosure(
    id: uuid.UUID, raw: Body, response: Response, ctx: ContextDep, session: SessionDep
) -> DisclosureRequestOut:
    """Accepting a case opened, for `investigation`, only the members your agency could see
    when it accepted. This asks, with your reason, the source of each other member for its
    consent (WGS art. 1.7(3)). The answer is the same however many members it concerns; a
    member appears under `granted` of GET /disclosure-requests/{id} once its source grants it.
    Only the agency that accepted the case asks (403 for others; 409 before acceptance)."""
    data = body.validate(DisclosureRequestIn, body.parse_json(raw), {})
    filed = disclosures.file(session, ctx, id, reason=data.reason)
    response.headers["Location"] = f"/api/v1/disclosure-requests/{filed.id}"
    return DisclosureRequestOut(
        id=filed.id,
        proposal=filed.proposal_id,
        status=disclosures.FILED,
        created_at=filed.created_at,
    )


@router.get(
    "/disclosure-requests",
    summary="Disclosure requests about your signals",
    response_model=DisclosureItemPage,
    operation_id="listDisclosureItems",
    tags=["proposals"],
    responses={200: LINK_HEADER},
)
def list_disclosure_items(
    request: Request,
    response: Response,
    caller: SignalWriter,
    session: SessionDep,
    keys: DataKeysDep,
    status: Annotated[
        DisclosureItemStatus | None, Query(description="Only items in this state.")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> DisclosureItemPage:
    """For a source agency: each of its signals another agency asked to see, with the case,
    the requester's reason and the state, oldest first. Decide with POST .../decisions."""
    bound = scope("disclosure-items", agency=caller.agency_code, purpose=None, filters=status)
    after = decode_cursor(keys.cursor_key, bound, cursor)
    found = disclosures.inbox_page(
        session, keys, caller, status=status, after=after, limit=limit + 1
    )
    next_cursor = (
        encode_cursor(keys.cursor_key, bound, found[limit - 1].item.pk)
        if len(found) > limit
        else None
    )
    if next_cursor:
        response.headers["Link"] = next_link(request.url, next_cursor)
    return DisclosureItemPage(items=[_item_out(f) for f in found[:limit]], next_cursor=next_cursor)


@router.get(
    "/disclosure-requests/sent",
    summary="Disclosure requests your agency filed",
    response_model=DisclosureRequestPage,
    operation_id="listSentDisclosureRequests",
    tags=["proposals"],
    responses={200: LINK_HEADER},
)
def list_sent(
    request: Request,
    response: Response,
    caller: Requester,
    session: SessionDep,
    keys: DataKeysDep,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> DisclosureRequestPage:
    """For a requester: its requests, oldest first, each with only the members granted so
    far (never those pending, refused or revoked)."""
    bound = scope("disclosure-requests", agency=caller.agency_code, purpose=None)
    after = decode_cursor(keys.cursor_key, bound, cursor)
    found = disclosures.sent_page(session, caller, after=after, limit=limit + 1)
    page = found[:limit]
    next_cursor = encode_cursor(keys.cursor_key, bound, page[-1].pk) if len(found) > limit else None
    if next_cursor:
        response.headers["Link"] = next_link(request.url, next_cursor)
    granted = disclosures.granted(session, page)
    return DisclosureRequestPage(
        items=[_request_view(r, granted[r.pk]) for r in page], next_cursor=next_cursor
    )


@router.get(
    "/disclosure-requests/{id:uuid}",
    summary="A disclosure request your agency filed",
    response_model=DisclosureRequestView,
    operation_id="getDisclosureRequest",
    tags=["proposals"],
)
def get_disclosure_request(
    id: uuid.UUID, caller: Requester, session: SessionDep
) -> DisclosureRequestView:
    """The request with the members granted so far; another agency's request is a 404."""
    found = disclosures.own_request(session, caller, id)
    return _request_view(found, disclosures.granted(session, [found])[found.pk])


@router.post(
    "/disclosure-requests/{id:uuid}/items/{signal_id:uuid}/decisions",
    summary="Grant or refuse disclosing your signal",
    response_model=DisclosureItemOut,
    operation_id="decideDisclosure",
    tags=["proposals"],
    openapi_extra=body.request_body_doc("DisclosureDecisionIn"),
    responses=problem_responses(409, 415),
)
def decide_disclosure(
    id: uuid.UUID,
    signal_id: uuid.UUID,
    raw: Body,
    caller: SignalWriter,
    session: SessionDep,
    keys: DataKeysDep,
) -> DisclosureItemOut:
    """The source's consent for one signal, with a reason, once (409 the second time). A grant
    lets the requesting agency read the signal at `full` for `investigation` while a covenant
    in force binds you both; every such read is audited naming this request. Only the signal's
    source decides: for anyone else the item does not exist (404)."""
    data = body.validate(DisclosureDecisionIn, body.parse_json(raw), {})
    found = disclosures.decide(
        session, keys, caller, id, signal_id, decision=data.decision, reason=data.reason
    )
    return _item_out(found)


@router.post(
    "/disclosure-requests/{id:uuid}/items/{signal_id:uuid}/revocations",
    summary="Revoke a disclosure you granted",
    response_model=DisclosureItemOut,
    operation_id="revokeDisclosure",
    tags=["proposals"],
    openapi_extra=body.request_body_doc("RevocationIn"),
    responses=problem_responses(409, 415),
)
def revoke_disclosure(
    id: uuid.UUID,
    signal_id: uuid.UUID,
    raw: Body,
    caller: SignalWriter,
    session: SessionDep,
    keys: DataKeysDep,
) -> DisclosureItemOut:
    """End a grant at once: from the next read on the requester may not see the signal
    beyond what the covenants allow. 409 unless the item is granted."""
    data = body.validate(RevocationIn, body.parse_json(raw), {})
    return _item_out(disclosures.revoke(session, keys, caller, id, signal_id, reason=data.reason))
