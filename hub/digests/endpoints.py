"""HTTP routes of partner digests and of the webhook each partner registers for them."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Response, Security

from hub.auth.caller import Caller
from hub.auth.tokens import authenticate
from hub.covenants.viewer import Viewer
from hub.deps import DataKeysDep, SessionDep, SettingsDep, viewer_acting_for
from hub.digests import service
from hub.digests.addresses import RefusedAddress
from hub.digests.models import Webhook
from hub.digests.schemas import DigestOut, WebhookCreate, WebhookCreated, WebhookOut
from hub.errors import InvalidInput, NotFound
from hub.openapi import problem_responses

router = APIRouter(tags=["digests"])

WebhookManager = Annotated[Caller, Security(authenticate, scopes=["webhooks:manage"])]
# A digest serves the case-proposal process: accepted cases only (hub.digests.service).
DigestReader = Annotated[
    Viewer, Security(viewer_acting_for(service.PROPOSAL_PURPOSE), scopes=["digests:read"])
]


def _out(hook: Webhook) -> WebhookOut:
    return WebhookOut(url=hook.url, created_at=hook.created_at, updated_at=hook.updated_at)


@router.put(
    "/webhook",
    summary="Register your webhook",
    response_model=WebhookCreated,
    operation_id="putWebhook",
    responses={201: {"description": "Registered.", "model": WebhookCreated}},
)
def put_webhook(
    data: WebhookCreate,
    response: Response,
    caller: WebhookManager,
    session: SessionDep,
    keys: DataKeysDep,
    settings: SettingsDep,
) -> WebhookCreated:
    """Register the https URL your agency's nightly digests are POSTed to (201), or replace
    it (200). Every PUT makes a new signing secret, returned this once and never again.
    Deliveries are signed per Standard Webhooks. URLs on loopback, private, link-local,
    carrier-grade NAT, multicast or reserved addresses are refused (400)."""
    try:
        hook, secret, created = service.register_webhook(
            session, keys, caller, data.url, allow_private=settings.webhooks_allow_private
        )
    except RefusedAddress as exc:
        raise InvalidInput(
            f"The webhook URL is refused: {exc}.",
            errors=[{"pointer": "/url", "detail": str(exc)}],
        ) from None
    response.status_code = 201 if created else 200
    return WebhookCreated(**_out(hook).model_dump(), secret=secret)


@router.get(
    "/webhook",
    summary="Get your webhook",
    response_model=WebhookOut,
    operation_id="getWebhook",
    responses=problem_responses(404),
)
def get_webhook(caller: WebhookManager, session: SessionDep) -> WebhookOut:
    """The URL your agency's digests go to, and when it was registered; never the secret.
    404 when your agency has none."""
    hook = service.webhook_of(session, caller)
    if hook is None:
        raise NotFound("Your agency has no webhook registered.")
    return _out(hook)


@router.delete(
    "/webhook",
    summary="Remove your webhook",
    status_code=204,
    response_class=Response,
    operation_id="deleteWebhook",
    responses=problem_responses(404),
)
def delete_webhook(caller: WebhookManager, session: SessionDep) -> Response:
    """Stop sending digests to your agency's webhook; undelivered ones are dropped. The
    digests stay readable at /digests/{date}."""
    if not service.remove_webhook(session, caller):
        raise NotFound("Your agency has no webhook registered.")
    return Response(status_code=204)


@router.get(
    "/digests/{date}",
    summary="Get your agency's digest",
    response_model=DigestOut,
    operation_id="getDigest",
)
def get_digest(
    viewer: DigestReader,
    session: SessionDep,
    date: Annotated[
        str,
        Path(
            description="The digest date (an Amsterdam day), YYYY-MM-DD.",
            pattern=r"^\d{4}-\d{2}-\d{2}$",
            examples=["2026-11-24"],
            json_schema_extra={"format": "date"},
        ),
    ],
) -> Response:
    """Your agency's nightly digest for one day: the cases analysts accepted that hold your
    signals (with whom to contact), which agencies were shown your signals at which level, and
    whose lookups hit them. Counts, agency codes and your own signal ids only; a proposal no
    analyst has accepted is never mentioned. The reading is audited."""
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise InvalidInput(
            "The digest date is not a calendar date.",
            errors=[{"in": "path", "name": "date", "detail": "not a valid date"}],
        ) from None
    digest = service.read(session, viewer.caller, day)
    if digest is None:
        raise NotFound(f"Your agency has no digest for {day.isoformat()}.")
    return Response(digest.content, media_type="application/json")
