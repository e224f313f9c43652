"""HTTP routes of the audit trail: for auditors, privacy officers and the source agencies."""

import uuid
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, Security

from hub.audit import repository
from hub.audit.schemas import AuditEventOut, AuditPage, DisclosureList, DisclosureOut, VerifyOut
from hub.audit.service import tail_reason, verify_trail
from hub.auth.caller import Caller
from hub.auth.tokens import authenticate
from hub.deps import DataKeysDep, SessionDep, SignalReader
from hub.errors import NotFound
from hub.kit.pagination import decode_cursor, encode_cursor, next_link, scope
from hub.kit.times import Instant
from hub.signals import repository as signals

router = APIRouter(tags=["audit"])
AuditReader = Annotated[Caller, Security(authenticate, scopes=["audit:read"])]


@router.get(
    "/audit",
    summary="Read the audit trail",
    response_model=AuditPage,
    operation_id="listAuditEvents",
)
def list_audit(
    request: Request,
    response: Response,
    caller: AuditReader,
    session: SessionDep,
    keys: DataKeysDep,
    agency: Annotated[str | None, Query(max_length=32)] = None,
    signal_id: Annotated[uuid.UUID | None, Query(alias="signalId")] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    since: Instant | None = None,
    until: Instant | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    """Audit events in chain order: with the `audit:read` scope those your agency took part in
    (its own actions, and what happened to its signals); with `admin` all of them."""
    where = repository.AuditFilter(
        agency=agency,
        signal_id=str(signal_id) if signal_id else None,
        action=action,
        since=since,
        until=until,
    )
    involving = None if "admin" in caller.scopes else caller.agency_code
    bound = scope(
        "audit", agency=caller.agency_code, purpose=None, filters=(asdict(where), involving)
    )
    after = decode_cursor(keys.cursor_key, bound, cursor)
    rows = repository.page(session, where, involving=involving, after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(keys.cursor_key, bound, rows[-1].seq) if more else None
    if next_cursor:
        response.headers["Link"] = next_link(request.url, next_cursor)
    return AuditPage(
        items=[AuditEventOut.model_validate(r, from_attributes=True) for r in rows],
        next_cursor=next_cursor,
    )


@router.get(
    "/audit/verify",
    summary="Verify the audit trail",
    response_model=VerifyOut,
    operation_id="verifyAuditTrail",
)
def verify_audit(request: Request, caller: AuditReader, session: SessionDep) -> VerifyOut:
    """Walk the sealed hash chain and check it against its head and every checkpoint the hub
    signed (a changed, removed or reordered entry is found and named), and report the events
    not sealed yet: `ok` is false when the oldest is older than the bound."""
    settings = request.app.state.settings
    report = verify_trail(
        session, request.app.state.signing_keys.keyset(), tail_bound=settings.audit_tail_seconds
    )
    return VerifyOut(
        ok=report.ok,
        checked=report.verdict.checked,
        first_bad_seq=report.verdict.first_bad_seq,
        reason=report.verdict.reason or tail_reason(report),
        head_seq=report.head_seq,
        signed_seq=report.checkpoint_seq,
        checkpoints_checked=report.checkpoints_checked,
        tail_count=report.tail_count,
        tail_oldest=report.tail_oldest,
        tail_age_seconds=round(report.tail_age, 3),
        tail_bound_seconds=report.tail_bound,
    )


@router.get(
    "/signals/{id:uuid}/disclosures",
    summary="See who was shown your signal",
    response_model=DisclosureList,
    operation_id="listSignalDisclosures",
    tags=["signals"],
)
def list_disclosures(id: uuid.UUID, caller: SignalReader, session: SessionDep) -> DisclosureList:
    """Every time another agency was shown your signal: who, when, at which level, under which
    covenant version and rule, for which purpose. Only the source agency may ask."""
    if signals.own_signal(session, caller.agency_id, id) is None:
        raise NotFound(f"There is no signal {id} of yours.")
    return DisclosureList(
        items=[
            DisclosureOut.model_validate(e, from_attributes=True)
            for e in repository.disclosures_of(session, id)
        ]
    )
