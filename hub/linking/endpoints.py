"""HTTP routes of case proposals: read through the covenant policy."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, Security

from hub.auth.caller import Caller
from hub.auth.tokens import authenticate
from hub.deps import AgenciesDep, CovenantsDep, DataKeysDep, PurposeDep, SessionDep, VocabularyDep
from hub.kit.pagination import decode_cursor, encode_cursor, next_link
from hub.linking import exclusions, reads
from hub.linking.schemas import LinkingHubs, ProposalDetail, ProposalPage, ProposalStatus

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
    status: ProposalStatus | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    *,
    purpose: PurposeDep,
    covenants: CovenantsDep,
    agencies: AgenciesDep,
) -> ProposalPage:
    """Clusters of linked signals in which you may see at least two members for the declared
    `purpose`, oldest first. Barriers, agencies and the score are those of the members you may
    see."""
    items, last = reads.read_page(
        session,
        keys,
        caller,
        purpose=purpose,
        status=status,
        after=decode_cursor(cursor),
        limit=limit,
        covenants=covenants,
        agencies=agencies,
        weights=vocabulary.indicator_weights(),
    )
    next_cursor = encode_cursor(last) if last is not None else None
    if next_cursor:
        response.headers["Link"] = next_link(request.url, next_cursor)
    return ProposalPage.model_validate({"items": items, "next_cursor": next_cursor})


@router.get(
    "/proposals/{id:uuid}",
    summary="Get a case proposal",
    response_model=ProposalDetail,
    operation_id="getProposal",
)
def get_proposal(
    id: uuid.UUID,
    caller: Reviewer,
    session: SessionDep,
    keys: DataKeysDep,
    vocabulary: VocabularyDep,
    purpose: PurposeDep,
    covenants: CovenantsDep,
    agencies: AgenciesDep,
) -> ProposalDetail:
    """One proposal: the members you may see (each redacted to your level), the barriers and
    agencies they span, the score and its parts, and which shared values link which members.
    A proposal of which you may see fewer than two members does not exist for you: 404."""
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
