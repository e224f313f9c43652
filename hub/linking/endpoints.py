"""HTTP routes of the linker's administration."""

from typing import Annotated

from fastapi import APIRouter, Security

from hub.auth.caller import Caller
from hub.auth.tokens import authenticate
from hub.deps import DataKeysDep, SessionDep
from hub.linking import exclusions
from hub.linking.schemas import LinkingHubs

router = APIRouter(tags=["linking"])
Administrator = Annotated[Caller, Security(authenticate, scopes=["admin"])]


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
