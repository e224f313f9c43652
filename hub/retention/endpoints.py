"""HTTP routes of retention extensions, for administrators: the recorded decision that keeps an
accepted case's data past the WGS cap (art. 1.8(7)), listed, read and revoked."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, Security

from hub.auth.caller import Caller
from hub.auth.tokens import authenticate
from hub.db import now
from hub.deps import DataKeysDep, SessionDep, SettingsDep
from hub.kit import body
from hub.openapi import problem_responses
from hub.retention import extensions
from hub.retention.schemas import ExtensionIn, ExtensionList, ExtensionOut

router = APIRouter(tags=["retention"])
Administrator = Annotated[Caller, Security(authenticate, scopes=["admin"])]


async def json_body(request: Request) -> bytes:
    return await body.read_body(request, (body.JSON,))


Body = Annotated[bytes, Depends(json_body)]


@router.post(
    "/retention/extensions",
    summary="Extend a case's retention past the WGS cap",
    response_model=ExtensionOut,
    status_code=201,
    operation_id="createRetentionExtension",
    openapi_extra=body.request_body_doc("ExtensionIn"),
    responses={
        201: {
            "headers": {"Location": {"description": "The extension.", "schema": {"type": "string"}}}
        },
        **problem_responses(404, 409, 415),
    },
)
def create_extension(
    raw: Body,
    response: Response,
    caller: Administrator,
    session: SessionDep,
    keys: DataKeysDep,
    settings: SettingsDep,
) -> Any:
    """Record the decision to keep an accepted case's members (or one of them) past the WGS cap
    of five years from their first processing: who (your client), why (required, sealed) and
    until when. The term ends at most 1825 days past the cap, counted from the earliest first
    processing of the signals it covers; a later `until` is a 400 naming `/until`. It holds the
    members the case has now. Audited."""
    data = body.validate(ExtensionIn, body.parse_json(raw), {})
    at = now()
    made = extensions.extend(
        session,
        keys,
        caller,
        case=data.case,
        signal=data.signal,
        until=data.until,
        reason=data.reason,
        decided_by=caller.client_id,
        at=at,
        cap_days=settings.retention_cap_days,
    )
    response.headers["Location"] = f"/api/v1/retention/extensions/{made.row.id}"
    return extensions.shown(keys, made, at)


@router.get(
    "/retention/extensions",
    summary="List retention extensions",
    response_model=ExtensionList,
    operation_id="listRetentionExtensions",
    responses=problem_responses(404, 409),
)
def list_extensions(
    caller: Administrator,
    session: SessionDep,
    keys: DataKeysDep,
    case: Annotated[
        str | None,
        Query(
            max_length=40,
            pattern=r"^[A-Za-z0-9-]+$",
            description="Only this case's (case number or proposal id).",
        ),
    ] = None,
) -> Any:
    """Every extension decided, newest first, in force or not, with its reason. Audited."""
    proposal = extensions.find_case(session, case).id if case else None
    at = now()
    found = extensions.listed(session, proposal_id=proposal)
    extensions.read(session, caller, found)
    return {"items": [extensions.shown(keys, f, at) for f in found]}


@router.get(
    "/retention/extensions/{id:uuid}",
    summary="A retention extension",
    response_model=ExtensionOut,
    operation_id="getRetentionExtension",
    responses=problem_responses(404),
)
def get_extension(
    id: uuid.UUID, caller: Administrator, session: SessionDep, keys: DataKeysDep
) -> Any:
    """One extension, with the signals it holds and its reason. Audited."""
    found = extensions.get(session, id)
    extensions.read(session, caller, [found])
    return extensions.shown(keys, found, now())


@router.post(
    "/retention/extensions/{id:uuid}/revocations",
    summary="Revoke a retention extension",
    response_model=ExtensionOut,
    operation_id="revokeRetentionExtension",
    responses=problem_responses(404, 409),
)
def revoke_extension(
    id: uuid.UUID, caller: Administrator, session: SessionDep, keys: DataKeysDep
) -> Any:
    """End the extension now: the signals it held fall due under the other rules (the WGS cap
    among them) at the next purge. 409 when it is revoked already. Audited."""
    at = now()
    return extensions.shown(
        keys, extensions.revoke(session, caller, id, revoked_by=caller.client_id, at=at), at
    )
