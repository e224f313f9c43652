"""HTTP routes of the contact point (scope `dpo`): open a data subject's request with a find,
read it, export what is held, carry it out or refuse it; and, for sources (scope
`signals:write`), the corrections routed to them. Identifiers travel in the body only."""

import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response, Security

from hub.auth.caller import Caller
from hub.auth.tokens import authenticate
from hub.deps import DataKeysDep, SessionDep, SettingsDep, SignalWriter
from hub.kit import body
from hub.kit.i18n import HTML_LANGUAGE
from hub.kit.i18n import negotiate as negotiate_language
from hub.kit.negotiate import negotiate
from hub.openapi import problem_responses
from hub.subjects import export, service
from hub.subjects.schemas import (
    CompletionIn,
    CorrectionPage,
    RefusalIn,
    SubjectRequestCreate,
    SubjectRequestOut,
    SubjectRequestPage,
)

router = APIRouter(tags=["subject-requests"])
ContactPoint = Annotated[Caller, Security(authenticate, scopes=["dpo"])]
EXPORT_TYPES = {"json": "application/json", "html": "text/html"}


async def json_body(request: Request) -> bytes:
    return await body.read_body(request, (body.JSON,))


Body = Annotated[bytes, Depends(json_body)]


def desk(request: Request, caller: ContactPoint, keys: DataKeysDep) -> service.Desk:
    return service.Desk(caller=caller, keys=keys, linker=request.app.state.link_worker.linker)


DeskDep = Annotated[service.Desk, Depends(desk)]


def _out(session: SessionDep, desk: service.Desk, request_id: uuid.UUID) -> SubjectRequestOut:
    found = service.get(session, request_id)
    return SubjectRequestOut.model_validate(service.view(session, desk.keys, found))


@router.get(
    "/subject-requests/corrections",
    summary="Corrections routed to your agency",
    response_model=CorrectionPage,
    operation_id="listSubjectCorrections",
)
def list_corrections(
    caller: SignalWriter,
    session: SessionDep,
    keys: DataKeysDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> CorrectionPage:
    """For a source agency: each of its signals the contact point asked it to correct, with
    what to correct and which subjects, oldest first. Correct the signal with PATCH
    /signals/{id} (or retract it); the item then reads `corrected`."""
    return CorrectionPage.model_validate(
        {"items": service.corrections(session, keys, caller, limit=limit)}
    )


@router.post(
    "/subject-requests",
    status_code=201,
    summary="Open a data subject's request",
    response_model=SubjectRequestOut,
    operation_id="createSubjectRequest",
    openapi_extra=body.request_body_doc("SubjectRequestCreate"),
    responses={
        201: {"headers": {"Location": {"schema": {"type": "string"}}}},
        **problem_responses(413, 415),
    },
)
def create_request(
    response: Response, desk: DeskDep, session: SessionDep, raw: Body
) -> SubjectRequestOut:
    """Open an access, rectify, erase or restrict request and find every signal, proposal and
    case that holds the person, by name with birth date, BSN or identity document, through
    the blind index. Only the identifiers' keyed tokens are kept, never what you typed. The
    find is audited on the request and on each signal found (under its source)."""
    data = body.validate(SubjectRequestCreate, body.parse_json(raw), {})
    created = service.open_request(session, desk, data)
    response.headers["Location"] = f"/api/v1/subject-requests/{created.id}"
    return SubjectRequestOut.model_validate(service.view(session, desk.keys, created))


@router.get(
    "/subject-requests",
    summary="Data subjects' requests",
    response_model=SubjectRequestPage,
    operation_id="listSubjectRequests",
)
def list_requests(
    desk: DeskDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SubjectRequestPage:
    """The newest requests first, each with what holds the person now."""
    found = service.repository.requests_page(session, limit=limit)
    return SubjectRequestPage.model_validate(
        {"items": [service.view(session, desk.keys, r) for r in found]}
    )


@router.get(
    "/subject-requests/{id:uuid}",
    summary="A data subject's request",
    response_model=SubjectRequestOut,
    operation_id="getSubjectRequest",
)
def get_request(id: uuid.UUID, desk: DeskDep, session: SessionDep) -> SubjectRequestOut:
    """The request, its outcome, and what holds the person now (nothing after an erasure)."""
    return _out(session, desk, id)


@router.get(
    "/subject-requests/{id:uuid}/export",
    summary="Export what is held (access)",
    response_class=Response,
    operation_id="exportSubjectRequest",
    responses={
        200: {
            "description": "The export as JSON, or a printable HTML page.",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/html": {"schema": {"type": "string"}},
            },
        },
        **problem_responses(406, 409),
    },
)
def export_request(
    id: uuid.UUID,
    desk: DeskDep,
    session: SessionDep,
    settings: SettingsDep,
    accept: Annotated[
        str | None, Header(description="application/json (default) or text/html.")
    ] = None,
    accept_language: Annotated[str | None, Header(description=HTML_LANGUAGE)] = None,
) -> Response:
    """For an access request (AVG art. 15): the person's subjects in each signal that holds
    them (decrypted), the signals' facts, the proposals and cases, and every agency that
    received those signals (disclosures in the audit trail, case openings, disclosure grants).
    Each export is audited."""
    rendition = negotiate(accept, EXPORT_TYPES)
    document = service.export(session, desk, id)
    if rendition == "html":
        return Response(
            export.render_html(
                document, language=negotiate_language(accept_language, default=settings.language)
            ),
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": export.EXPORT_POLICY, "Vary": "Accept"},
        )
    return Response(
        json.dumps(document, ensure_ascii=False),
        media_type="application/json",
        headers={"Vary": "Accept"},
    )


@router.post(
    "/subject-requests/{id:uuid}/completions",
    summary="Carry a request out",
    response_model=SubjectRequestOut,
    operation_id="completeSubjectRequest",
    openapi_extra=body.request_body_doc("CompletionIn"),
    responses=problem_responses(409, 415),
)
def complete_request(
    id: uuid.UUID, desk: DeskDep, session: SessionDep, raw: Body
) -> SubjectRequestOut:
    """Once: **access** records that the export was given; **rectify** routes a correction
    (`note`) to the source of each signal, which corrects its own signal; **erase** removes
    the person from every signal (a signal naming no one else goes whole), re-links the
    proposals and cleans stored links and digests; **restrict** records the restriction with
    its `ground`, after which the signals link to nothing and no partner sees them. 409 unless
    the request is open."""
    data = body.validate(CompletionIn, body.parse_json(raw), {})
    service.complete(session, desk, id, data)
    return _out(session, desk, id)


@router.post(
    "/subject-requests/{id:uuid}/refusals",
    summary="Refuse a request on a ground",
    response_model=SubjectRequestOut,
    operation_id="refuseSubjectRequest",
    openapi_extra=body.request_body_doc("RefusalIn"),
    responses=problem_responses(409, 415),
)
def refuse_request(
    id: uuid.UUID, desk: DeskDep, session: SessionDep, raw: Body
) -> SubjectRequestOut:
    """Refuse, recording the ground (UAVG art. 41(1) a-j, or AVG art. 12(5)); 409 unless open."""
    data = body.validate(RefusalIn, body.parse_json(raw), {})
    service.refuse(session, desk, id, data)
    return _out(session, desk, id)


@router.post(
    "/subject-requests/{id:uuid}/liftings",
    summary="Lift a restriction",
    response_model=SubjectRequestOut,
    operation_id="liftSubjectRestriction",
    responses=problem_responses(409),
)
def lift_restriction(id: uuid.UUID, desk: DeskDep, session: SessionDep) -> SubjectRequestOut:
    """End a restriction in force: its signals link and are shared under the covenants again."""
    service.lift(session, desk, id)
    return _out(session, desk, id)
