"""HTTP route of hit/no-hit lookups. Identifiers travel in the body only, never in the URL."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Security

from hub.covenants.viewer import Viewer
from hub.deps import DataKeysDep, SessionDep, viewer_for
from hub.kit import body
from hub.lookups import service
from hub.lookups.schemas import LookupRequest, LookupResponse, LookupResult
from hub.openapi import problem_responses

router = APIRouter(tags=["lookups"])

# Hit/no-hit is this route's alone; an investigation may look up an identifier it holds too.
LookupViewer = Annotated[
    Viewer, Security(viewer_for("hit-lookup", "investigation"), scopes=["lookups"])
]


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
    viewer: LookupViewer,
    session: SessionDep,
    keys: DataKeysDep,
    raw: Annotated[bytes, Depends(json_body)],
) -> LookupResponse:
    """Ask, for up to 100 identifiers at once, whether signals name them. Each identifier is
    a subject (same types, fields and validation as in a signal) and is matched after the
    same normalisation, so formatting variants hit alike. Declare the `purpose` (`hit-lookup`
    or `investigation`); without one the answer is 400, never a false `hit: false`. A match
    is shown only as far as a covenant in force grants for it, at least at `hit` level (the
    signal id to quote, the agency to contact, barriers, status); your own signals match in
    full. An identifier named only in signals you may not see answers `hit: false`, exactly
    as an unknown one. Retracted signals never hit. The owners of matched signals see the
    disclosure in the audit trail."""
    data = body.validate(LookupRequest, body.parse_json(raw), {})
    answers = service.look_up(session, keys, viewer, data.identifiers)
    return LookupResponse(
        results=[
            LookupResult.model_validate(
                {"index": a.index, "type": a.type, "hit": a.hit, "matches": a.matches}
            )
            for a in answers
        ]
    )
