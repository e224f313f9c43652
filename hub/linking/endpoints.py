"""HTTP routes of case proposals: read through the covenant policy."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, Security
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from hub.agencies.directory import AgencyDirectory
from hub.auth.caller import Caller
from hub.auth.tokens import authenticate
from hub.barriers.schemas import BarrierCode
from hub.deps import AgenciesDep, CovenantsDep, DataKeysDep, PurposeDep, SessionDep, VocabularyDep
from hub.errors import NotFound
from hub.kit.pagination import decode_position, encode_position, next_link
from hub.linking import exclusions, reads
from hub.linking.schemas import LinkingHubs, ProposalDetail, ProposalPage, ProposalStatus
from hub.review.service import resolve

# Agencies whose queue is their own region's unless they ask for another.
REGIONAL_KINDS = ("riec", "municipality")
ETAG_HEADER = {"description": "The proposal's version, for If-Match.", "schema": {"type": "string"}}

router = APIRouter(tags=["proposals"])
Reviewer = Annotated[Caller, Security(authenticate, scopes=["proposals:review"])]
Administrator = Annotated[Caller, Security(authenticate, scopes=["admin"])]


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
    caller: Reviewer,
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
        datetime | None, Query(alias="createdFrom", description="Proposed at or after this.")
    ] = None,
    created_to: Annotated[
        datetime | None, Query(alias="createdTo", description="Proposed before this time.")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    *,
    purpose: PurposeDep,
    covenants: CovenantsDep,
    agencies: AgenciesDep,
) -> ProposalPage:
    """The review queue: clusters of linked signals in which you may see at least two members
    for the declared `purpose`, strongest first. Barriers, agencies and the score are those of
    the members you may see, and the filters apply to what you see."""
    where = reads.QueueFilter(
        status=status,
        barrier=barrier,
        agency=agency,
        region=_region(session, caller, agencies, region),
        min_score=min_score,
        created_from=created_from,
        created_to=created_to,
    )
    items, last = reads.read_page(
        session,
        keys,
        caller,
        purpose=purpose,
        where=where,
        after=decode_position(cursor),
        limit=limit,
        covenants=covenants,
        agencies=agencies,
        weights=vocabulary.indicator_weights(),
    )
    next_cursor = encode_position(*last) if last is not None else None
    if next_cursor:
        response.headers["Link"] = next_link(request.url, next_cursor)
    return ProposalPage.model_validate({"items": items, "next_cursor": next_cursor})


def _region(session: Session, caller: Caller, agencies: AgencyDirectory, asked: str | None):  # type: ignore[no-untyped-def]
    """The region the queue is for: as asked, else a regional agency's own."""
    if asked == "all":
        return None
    if asked is not None:
        return asked
    me = agencies.get(session, caller.agency_id)
    return me.region if me.kind in REGIONAL_KINDS else None


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
    caller: Reviewer,
    session: SessionDep,
    keys: DataKeysDep,
    vocabulary: VocabularyDep,
    purpose: PurposeDep,
    covenants: CovenantsDep,
    agencies: AgenciesDep,
) -> Any:
    """One proposal: the members you may see (each redacted to your level), the barriers and
    agencies they span, the score and its parts, which shared values link which members, and
    a graph of them. A proposal of which you may see fewer than two members does not exist for
    you: 404. A proposal merged into another redirects there (307). The ETag is the version
    to send as If-Match with a decision."""
    target = resolve(session, id)
    if target != id:
        if not reads.may_see(
            session, caller, target, purpose=purpose, covenants=covenants, agencies=agencies
        ):
            raise NotFound(f"There is no proposal {id} that you may see for this purpose.")
        location = str(request.url).replace(str(id), str(target), 1)
        return RedirectResponse(location, status_code=307)
    shown = reads.read_one(
        session,
        keys,
        caller,
        id,
        purpose=purpose,
        covenants=covenants,
        agencies=agencies,
        weights=vocabulary.indicator_weights(),
    )
    response.headers["ETag"] = f'"{shown["version"]}"'
    return ProposalDetail.model_validate(shown)


@router.get(
    "/linking/over-linked",
    summary="Values that do not link",
    response_model=LinkingHubs,
    operation_id="getOverLinkedValues",
    tags=["linking"],
)
def over_linked(caller: Administrator, session: SessionDep, keys: DataKeysDep) -> LinkingHubs:
    """For administrators: values carried by more signals than their type's cap (they stop
    linking by themselves), and the values excluded from linking with the reason. Shown as
    pseudonyms; exclude or inspect a value with `hub linking exclude`."""
    return LinkingHubs.model_validate(
        {
            "over_linked": [
                {"type": v.key_type, "pseudonym": v.pseudonym, "carriers": v.carriers, "cap": v.cap}
                for v in exclusions.over_linked(session, keys)
            ],
            "excluded": exclusions.excluded_values(session, keys),
        }
    )
