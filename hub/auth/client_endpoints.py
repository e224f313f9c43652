"""HTTP routes for administrators: list, disable, enable and delete OAuth clients."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, Security

from hub.auth import management
from hub.auth.caller import Caller
from hub.auth.schemas import ClientList, ClientOut
from hub.auth.tokens import authenticate
from hub.deps import SessionDep
from hub.errors import Conflict, NotFound
from hub.openapi import problem_responses

router = APIRouter(tags=["clients"])
Administrator = Annotated[Caller, Security(authenticate, scopes=["admin"])]


@router.get(
    "/clients",
    summary="List OAuth clients",
    response_model=ClientList,
    operation_id="listClients",
    responses=problem_responses(400, 401, 403),
)
def list_clients(
    caller: Administrator,
    session: SessionDep,
    agency: Annotated[str | None, Query(max_length=32, description="Only this agency's.")] = None,
) -> ClientList:
    """Every client of every agency (or of one), with its scopes and whether it is disabled."""
    return ClientList(items=[_out(c) for c in management.list_clients(session, agency=agency)])


@router.post(
    "/clients/{client_id}/disable",
    summary="Disable a client",
    response_model=ClientOut,
    operation_id="disableClient",
    responses=problem_responses(401, 403, 404, 409),
)
def disable_client(
    client_id: str, request: Request, caller: Administrator, session: SessionDep
) -> ClientOut:
    """Refuse the client's tokens at once and give it no new ones. Re-enabling lets it get
    new tokens; those issued before the disable stay refused. Audited."""
    _not_yourself(caller, client_id, "disable")
    try:
        info = management.set_disabled(session, client_id, disabled=True, by=caller)
    except management.UnknownClient:
        raise _unknown() from None
    request.app.state.client_states.refuse(request.app.state.sessions, client_id)
    return _out(info)


@router.post(
    "/clients/{client_id}/enable",
    summary="Enable a client",
    response_model=ClientOut,
    operation_id="enableClient",
    responses=problem_responses(401, 403, 404),
)
def enable_client(
    client_id: str, request: Request, caller: Administrator, session: SessionDep
) -> ClientOut:
    """Let a disabled client get tokens again (not use the ones it had). Audited."""
    try:
        info = management.set_disabled(session, client_id, disabled=False, by=caller)
    except management.UnknownClient:
        raise _unknown() from None
    request.app.state.client_states.forget(request.app.state.sessions, client_id)
    return _out(info)


@router.delete(
    "/clients/{client_id}",
    summary="Delete a client",
    status_code=204,
    response_class=Response,
    operation_id="deleteClient",
    responses=problem_responses(401, 403, 404, 409),
)
def delete_client(
    client_id: str, request: Request, caller: Administrator, session: SessionDep
) -> Response:
    """Remove a client for good: its tokens are refused at once. Audited."""
    _not_yourself(caller, client_id, "delete")
    try:
        management.delete_client(session, client_id, by=caller)
    except management.UnknownClient:
        raise _unknown() from None
    request.app.state.client_states.refuse(request.app.state.sessions, client_id)
    return Response(status_code=204)


def _not_yourself(caller: Caller, client_id: str, verb: str) -> None:
    # An administrator locking out the very client it calls with has no way back over the API.
    if client_id == caller.client_id:
        raise Conflict(
            f"You cannot {verb} the client you are calling with; use another administrator "
            f"client or `hub clients {verb}`."
        )


def _unknown() -> NotFound:
    return NotFound("There is no such client.")


def _out(info: management.ClientInfo) -> ClientOut:
    return ClientOut(
        client_id=info.client_id,
        agency=info.agency,
        name=info.name,
        scopes=info.scopes.split(),
        auth_method=info.auth_method,  # type: ignore[arg-type]
        created_at=info.created_at,
        disabled_at=info.disabled_at,
    )
