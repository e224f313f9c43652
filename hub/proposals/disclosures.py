"""Disclosure requests: consent of the supplying participant (WGS art. 1.7(3)), in software.

Accepting a case opens only the members the accepting agency was shown. For the others it asks
the sources, with a reason: the hub files one item per member it may not investigate in full,
addressed to that member's source, which grants or refuses it and can revoke a grant. A live
grant is an exception the one policy decision point honours (`SignalFacts.granted_to`). The
requester never learns how many members it asked for, nor whose they are, until one is granted.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit import service as audit
from hub.auth.caller import Caller
from hub.covenants.model import Level
from hub.covenants.models import DisclosureItem, DisclosureRequest
from hub.covenants.policy import INVESTIGATION
from hub.db import now
from hub.errors import Conflict, Forbidden, NotFound
from hub.kit.crypto import DataKeys, Sealed
from hub.kit.i18n import N_
from hub.linking.models import Proposal, ProposalMember
from hub.proposals import reads, service
from hub.signals.models import Signal
from hub.signals.reads import grants_for

# A request never says how many members it asked for: this is all it says of its state.
FILED = "filed"


@dataclass(frozen=True)
class InboxItem:
    """One item in a source's inbox, with the requester's reason opened."""

    item: DisclosureItem
    request: DisclosureRequest
    case_number: str | None
    reason: str


def _request_context(request_id: uuid.UUID) -> bytes:
    return b"disclosure-request:" + request_id.bytes


def _item_context(kind: bytes, request_id: uuid.UUID, signal_id: uuid.UUID) -> bytes:
    return b"disclosure-" + kind + b":" + request_id.bytes + signal_id.bytes


def file(
    session: Session, ctx: service.Context, proposal_id: uuid.UUID, *, reason: str
) -> DisclosureRequest:
    """File a request for the members of the caller's accepted case it may not investigate
    in full: one pending item per member, addressed to its source."""
    proposal = session.scalars(select(Proposal).where(Proposal.id == proposal_id)).one_or_none()
    if proposal is None or not reads.may_see(session, ctx.viewer, proposal_id):
        service.not_found(proposal_id)
    if proposal.status != "accepted":
        raise Conflict(
            f"A proposal that is {proposal.status} has no case to ask disclosure for; "
            "accept it first."
        )
    if proposal.accepted_by != ctx.caller.agency_code:
        raise Forbidden("Only the agency that accepted the case asks its sources for disclosure.")
    members = list(
        session.scalars(
            select(Signal)
            .join(ProposalMember, ProposalMember.signal_id == Signal.id)
            .where(ProposalMember.proposal_id == proposal.id)
            .order_by(Signal.pk)
        )
    )
    investigating = ctx.viewer.for_purpose(INVESTIGATION)
    grants = grants_for(session, investigating, members)
    asked = _pending_for(session, ctx.caller.agency_code, [m.id for m in members])
    request_id = uuid.uuid4()
    sealed = ctx.keys.seal(reason.encode(), context=_request_context(request_id))
    request = DisclosureRequest(
        id=request_id,
        proposal_id=proposal.id,
        agency=ctx.caller.agency_code,
        requested_by=ctx.caller.client_id,
        created_at=now(),
        reason_key_id=sealed.key_id,
        reason=sealed.blob,
    )
    session.add(request)
    session.flush()
    for signal, grant in zip(members, grants, strict=True):
        if grant.level < Level.FULL and signal.id not in asked:
            session.add(
                DisclosureItem(
                    request_pk=request.pk,
                    signal_id=signal.id,
                    source_agency_id=signal.agency_id,
                    status="pending",
                )
            )
    session.flush()
    # No count and no signal ids: the requester reads its own agency's audit events.
    audit.record(
        session,
        ctx.caller,
        "disclosure.requested",
        object_type="disclosure-request",
        objects=[(str(request.id), {"proposal": str(proposal.id)})],
        purpose=INVESTIGATION,
    )
    return request


def _pending_for(session: Session, agency: str, signal_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Members this agency asked for already and that still wait for, or have, consent."""
    if not signal_ids:
        return set()
    return set(
        session.scalars(
            select(DisclosureItem.signal_id)
            .join(DisclosureRequest, DisclosureRequest.pk == DisclosureItem.request_pk)
            .where(
                DisclosureRequest.agency == agency,
                DisclosureItem.signal_id.in_(signal_ids),
                DisclosureItem.status.in_(("pending", "granted")),
            )
        )
    )


def own_request(session: Session, caller: Caller, request_id: uuid.UUID) -> DisclosureRequest:
    """A request the caller's agency filed; for anyone else it does not exist."""
    request = session.scalars(
        select(DisclosureRequest).where(
            DisclosureRequest.id == request_id, DisclosureRequest.agency == caller.agency_code
        )
    ).one_or_none()
    if request is None:
        raise NotFound(
            N_("There is no disclosure request {id} of your agency."), params={"id": request_id}
        )
    return request


def granted(session: Session, requests: list[DisclosureRequest]) -> dict[int, list[uuid.UUID]]:
    """Per request (by key), the members granted so far and not revoked."""
    found: dict[int, list[uuid.UUID]] = {r.pk: [] for r in requests}
    if requests:
        for request_pk, signal_id in session.execute(
            select(DisclosureItem.request_pk, DisclosureItem.signal_id)
            .where(DisclosureItem.request_pk.in_(list(found)), DisclosureItem.status == "granted")
            .order_by(DisclosureItem.pk)
        ):
            found[request_pk].append(signal_id)
    return found


def sent_page(
    session: Session, caller: Caller, *, after: int | None, limit: int
) -> list[DisclosureRequest]:
    """One page of the requests the caller's agency filed, oldest first."""
    query = select(DisclosureRequest).where(DisclosureRequest.agency == caller.agency_code)
    if after is not None:
        query = query.where(DisclosureRequest.pk > after)
    return list(session.scalars(query.order_by(DisclosureRequest.pk).limit(limit)))


def inbox_page(
    session: Session,
    keys: DataKeys,
    caller: Caller,
    *,
    status: str | None,
    after: int | None,
    limit: int,
) -> list[InboxItem]:
    """One page of the items about the caller's agency's own signals, oldest first."""
    query = (
        select(DisclosureItem, DisclosureRequest, Proposal.case_number)
        .join(DisclosureRequest, DisclosureRequest.pk == DisclosureItem.request_pk)
        .join(Proposal, Proposal.id == DisclosureRequest.proposal_id)
        .where(DisclosureItem.source_agency_id == caller.agency_id)
    )
    if status is not None:
        query = query.where(DisclosureItem.status == status)
    if after is not None:
        query = query.where(DisclosureItem.pk > after)
    rows = session.execute(query.order_by(DisclosureItem.pk).limit(limit)).all()
    return [
        InboxItem(item, request, case_number, _reason(keys, request))
        for item, request, case_number in rows
    ]


def _reason(keys: DataKeys, request: DisclosureRequest) -> str:
    sealed = Sealed(request.reason_key_id, request.reason)
    return keys.open(sealed, context=_request_context(request.id)).decode()


def _own_item(
    session: Session, caller: Caller, request_id: uuid.UUID, signal_id: uuid.UUID
) -> tuple[DisclosureItem, DisclosureRequest]:
    """The item, locked, if the caller's agency is the signal's source; else 404."""
    row = session.execute(
        select(DisclosureItem, DisclosureRequest)
        .join(DisclosureRequest, DisclosureRequest.pk == DisclosureItem.request_pk)
        .where(
            DisclosureRequest.id == request_id,
            DisclosureItem.signal_id == signal_id,
            DisclosureItem.source_agency_id == caller.agency_id,
        )
        .with_for_update(of=DisclosureItem)
    ).one_or_none()
    if row is None:
        raise NotFound(
            N_("There is no item {item} in disclosure request {id} for your agency."),
            params={"item": signal_id, "id": request_id},
        )
    item, request = row
    # Read after the lock: another analyst of the source may just have decided.
    session.refresh(item)
    return item, request


def decide(
    session: Session,
    keys: DataKeys,
    caller: Caller,
    request_id: uuid.UUID,
    signal_id: uuid.UUID,
    *,
    decision: str,
    reason: str,
) -> InboxItem:
    """The source grants or refuses one item, once; a grant opens the signal to the requester
    for investigation from now on, until revoked."""
    item, request = _own_item(session, caller, request_id, signal_id)
    if item.status != "pending":
        raise Conflict(
            N_("This item is {status} already; revoke a grant to end it."),
            params={"status": item.status},
        )
    item.status = "granted" if decision == "grant" else "refused"
    item.decided_at, item.decided_by = now(), caller.client_id
    sealed = keys.seal(reason.encode(), context=_item_context(b"decision", request.id, signal_id))
    item.decision_key_id, item.decision_reason = sealed.key_id, sealed.blob
    _audit(session, caller, f"disclosure.{item.status}", request, item)
    return _inbox_item(session, keys, item, request)


def revoke(
    session: Session,
    keys: DataKeys,
    caller: Caller,
    request_id: uuid.UUID,
    signal_id: uuid.UUID,
    *,
    reason: str,
) -> InboxItem:
    """The source ends a grant; the policy withholds the signal from the next read on."""
    item, request = _own_item(session, caller, request_id, signal_id)
    if item.status != "granted":
        raise Conflict(f"Only a granted item can be revoked; this one is {item.status}.")
    item.status = "revoked"
    item.revoked_at, item.revoked_by = now(), caller.client_id
    sealed = keys.seal(reason.encode(), context=_item_context(b"revocation", request.id, signal_id))
    item.revocation_key_id, item.revocation_reason = sealed.key_id, sealed.blob
    _audit(session, caller, "disclosure.revoked", request, item)
    return _inbox_item(session, keys, item, request)


def _audit(
    session: Session, caller: Caller, action: str, request: DisclosureRequest, item: DisclosureItem
) -> None:
    session.flush()
    audit.record(
        session,
        caller,
        action,
        object_type="signal",
        objects=[(str(item.signal_id), {"request": str(request.id), "to": request.agency})],
        purpose=INVESTIGATION,
    )


def _inbox_item(
    session: Session, keys: DataKeys, item: DisclosureItem, request: DisclosureRequest
) -> InboxItem:
    case_number = session.scalar(
        select(Proposal.case_number).where(Proposal.id == request.proposal_id)
    )
    return InboxItem(item, request, case_number, _reason(keys, request))
