"""HTTP routes of agencies."""

from fastapi import APIRouter

from hub.agencies import repository
from hub.agencies.schemas import AgencyList, AgencyOut
from hub.deps import AnyCaller, SessionDep
from hub.openapi import problem_responses

router = APIRouter(tags=["agencies"])


@router.get(
    "/agencies",
    summary="List partner agencies",
    response_model=AgencyList,
    operation_id="listAgencies",
    responses=problem_responses(401, 403),
)
def list_agencies(session: SessionDep, _caller: AnyCaller) -> AgencyList:
    """The partner agencies registered at this hub, so a partner knows whom a hit points to."""
    return AgencyList(
        items=[
            AgencyOut.model_validate(a, from_attributes=True)
            for a in repository.all_agencies(session)
        ]
    )
