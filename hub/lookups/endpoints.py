"""HTTP route of hit/no-hit lookups. Identifiers travel in the body only, never in the URL."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Security

from hub.auth.caller import Caller
from hub.auth.tokens import authenticate
from hub.deps import AgenciesDep, CovenantsDep, DataKeysDep, PurposeDep, SessionDep
from hub.kit import body
from hub.lookups import service
from hub.lookups.schemas import LookupRequest, LookupResponse, LookupResult
from hub.openapi import problem_responses

router = APIRouter(tags=["lookups"])

LookupCaller = Annotated[Caller, Security(authenticate, scopes=["lookups"])]


async def json_body(request: Request) -> bytes:
    return await body.read_body(request, (body.JSON,))


@router.post(
    "/lookups",
    summary="Look up identifiers (hit/no-hit)",
    response_model=LookupResponse,
    operation_id="createLookup",
    openapi_extra=body.request_body_doc("LookupRequest"),
    responses=problem_responses(413, 415),
)
def create_lookup(
    caller: LookupCaller,
    session: SessionDep,
    keys: DataKeysDep,
    raw: Annotated[bytes, Depends(json_body)],
    *,
    purpose: PurposeDep,
    covenants: CovenantsDep,
    agencies: AgenciesDep,
) -> LookupResponse:
    """Ask, for up to 100 identifiers at once, whether signals name them. Each identifier is
    a subject (same types, fields and validation as in a signal) and is matched after the
    same normalisation, so formatting variants hit alike. Declare the `purpose` (normally
    `hit-lookup`): a match is shown only as far as a covenant in force grants for it, at
    least at `hit` level (the signal id to quote, the agency to contact, barriers, status);
    your own signals match in full. An identifier named only in signals you may not see
    answers `hit: false`, exactly as an unknown one. Retracted signals never hit. The owners
    of matched signals see the disclosure in the audit trail."""
    data = body.validate(LookupRequest, body.parse_json(raw), {})
    answers = service.look_up(
        session,
        keys,
        caller,
        data.identifiers,
        purpose=purpose,
        covenants=covenants,
        agencies=agencies,
    )
    return LookupResponse(
        results=[
            LookupResult.model_validate(
                {"index": a.index, "type": a.type, "hit": a.hit, "matches": a.matches}
            )
            for a in answers
        ]
    )
