"""HTTP routes of the linker: its published rules, and its administration."""

from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response, Security

from hub.auth.caller import Caller
from hub.auth.tokens import authenticate
from hub.deps import AnyCaller, DataKeysDep, SessionDep
from hub.linking import exclusions, ruleset
from hub.linking.schemas import LinkingHubs, LinkingRules

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


RULES_ETAG = {
    "description": "The rules' content hash (the `hash` field), quoted.",
    "schema": {"type": "string"},
}


@cache
def _published() -> tuple[str, bytes]:
    """The rules as served, and their ETag: the content hash, computed once per process."""
    rules = LinkingRules.model_validate(ruleset.describe())
    return f'"{rules.hash}"', rules.model_dump_json().encode()


@router.get(
    "/linking/rules",
    summary="The linking rules",
    response_model=LinkingRules,
    operation_id="getLinkingRules",
    responses={
        200: {"headers": {"ETag": RULES_ETAG}},
        304: {
            "description": "Not modified: the rules still have the ETag you sent.",
            "headers": {"ETag": RULES_ETAG},
        },
    },
)
def linking_rules(
    _caller: AnyCaller,
    if_none_match: Annotated[
        str | None,
        Header(alias="If-None-Match", description="An ETag you read before."),
    ] = None,
) -> Any:
    """The rules by which the linker puts signals together, in Dutch and English: the match-key
    types with their points and frequency caps, the threshold, the person and document rules,
    how groups are cut and when a group is a proposal, with the version and hash that every
    proposal, link and decision records (WGS art. 1.9(3) and (6)). Any client may read them;
    they hold no personal data."""
    etag, body = _published()
    headers = {"ETag": etag}
    if if_none_match is not None:
        sent = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        if etag in sent or "*" in sent:
            return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
