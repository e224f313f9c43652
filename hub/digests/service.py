"""Building, storing and reading partner digests. Services flush; the caller owns the transaction.

A digest tells one agency, for one Amsterdam day, what happened to its own signals: which
accepted cases they joined, which agencies were shown them at which level, and which agencies'
lookups hit them. Counts, agency codes and its own signal ids only; never a proposal no analyst
has accepted.
"""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from hub.audit import service as audit
from hub.auth.caller import Caller
from hub.db import now
from hub.digests import addresses, repository
from hub.digests.build import (
    JoinedCase,
    Shown,
    build_digest,
    fingerprint,
    render,
)
from hub.digests.models import Delivery, Digest, Webhook
from hub.digests.signing import new_secret, seal_secret
from hub.kit.crypto import DataKeys

# The nightly job is the hub's own act: the audit trail names the hub and this job.
DIGEST_CALLER = Caller(
    agency_id=0,
    agency_code="HUB",
    client_id="hub-digest",
    scopes=frozenset(),
    token_id="digest",  # noqa: S106
)
# A digest serves the case-proposal process: it tells a source which accepted cases hold its
# signals, and who saw them.
PROPOSAL_PURPOSE = "case-proposal"


def build_for_date(session: Session, *, day: date) -> int:
    """Build and store every agency's digest for `day`, replacing any built before, and queue
    a delivery to each registered webhook; returns the number of digests.

    A digest speaks of accepted cases only: a proposal the linker made and no analyst checked
    is not a result that may leave the hub (WGS art. 1.9(2)), so no digest mentions one."""
    start, end = repository.day_window(day)
    accepted = repository.accepted_cases(session, start, end)
    in_cases = repository.members_by_agency(session, sorted(accepted, key=str))
    shown = _shown_by_owner(repository.disclosures(session, start, end))
    stored = repository.digests_on(session, day)
    hooks = repository.webhooks(session)
    at = now()
    built = []
    for agency_id, code in repository.agencies(session):
        document = build_digest(
            agency=code,
            day=day,
            generated_at=at,
            shown=shown.get(code, []),
            # The agency's own signals in a case: the case number and whom to ask are its to know.
            cases=[
                JoinedCase(*accepted[pid], own_signals=frozenset(ids))
                for pid, ids in in_cases.get(agency_id, {}).items()
            ],
        )
        digest, replaced = _store(session, stored.get(agency_id), agency_id, day, document, at)
        if agency_id in hooks:
            _queue(session, hooks[agency_id].id, digest, at)
        built.append((f"{code}:{day.isoformat()}", {"replaced": replaced}))
    audit.record(session, DIGEST_CALLER, "digest.built", object_type="digest", objects=built)
    session.flush()
    return len(built)


def _shown_by_owner(
    rows: list[tuple[str, str, str, str, dict[str, Any] | None]],
) -> dict[str, list[Shown]]:
    by_owner: dict[str, list[Shown]] = {}
    for owner, viewer, level, signal_id, detail in rows:
        lookup = detail.get("lookup") if isinstance(detail, dict) else None
        by_owner.setdefault(owner, []).append(
            Shown(viewer, level, signal_id, str(lookup) if lookup is not None else None)
        )
    return by_owner


def _store(
    session: Session,
    digest: Digest | None,
    agency_id: int,
    day: date,
    document: dict[str, Any],
    at: datetime,
) -> tuple[Digest, bool]:
    """Write the digest in place of the day's earlier one (same row, so deliveries keep it)."""
    replaced = digest is not None
    if digest is None:
        digest = Digest(agency_id=agency_id, digest_date=day)
        session.add(digest)
    digest.generated_at = at
    digest.content = render(document)
    digest.content_hash = fingerprint(document)
    session.flush()
    return digest, replaced


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def _queue(session: Session, webhook_id: int, digest: Digest, at: datetime) -> None:
    """One delivery per webhook and digest: a rebuild re-arms an undelivered one, and sends a
    delivered one again only when the digest now says something else (under a new id)."""
    delivery = repository.delivery_of(session, webhook_id, digest.id)
    if delivery is None:
        session.add(
            Delivery(
                webhook_id=webhook_id,
                digest_id=digest.id,
                message_id=new_message_id(),
                content_hash=digest.content_hash,
                status="pending",
                attempts=0,
                next_attempt_at=at,
                created_at=at,
            )
        )
        return
    changed = delivery.content_hash != digest.content_hash
    if delivery.status == "delivered" and not changed:
        return
    if changed:
        # Receivers deduplicate on webhook-id: different content must not share one.
        delivery.message_id = new_message_id()
        delivery.content_hash = digest.content_hash
    delivery.status, delivery.attempts, delivery.next_attempt_at = "pending", 0, at
    delivery.last_error = None


def read(session: Session, caller: Caller, day: date) -> Digest | None:
    """The caller's own agency's digest of `day`; the reading is audited (never its content)."""
    digest = repository.digest_of(session, caller.agency_id, day)
    if digest is not None:
        audit.record(
            session,
            caller,
            "digest.read",
            object_type="digest",
            objects=[(f"{caller.agency_code}:{day.isoformat()}", None)],
        )
    return digest


def register_webhook(
    session: Session,
    keys: DataKeys,
    caller: Caller,
    url: str,
    *,
    allow_private: bool,
) -> tuple[Webhook, str, bool]:
    """Register (or replace) the caller's agency's webhook with a new secret: (webhook, the
    secret, whether it is new). RefusedAddress when the URL may not be called."""
    addresses.check(url, allow_private=allow_private)
    secret = new_secret()
    sealed = seal_secret(keys, secret, caller.agency_id)
    hook = repository.webhook_of(session, caller.agency_id)
    created = hook is None
    at = now()
    if hook is None:
        hook = Webhook(agency_id=caller.agency_id, created_at=at)
        session.add(hook)
    hook.url, hook.secret_key_id, hook.secret = url, sealed.key_id, sealed.blob
    hook.updated_at, hook.updated_by = at, caller.client_id
    # Never the URL: a receiver's URL may carry a token of its own.
    audit.record(
        session,
        caller,
        "webhook.registered",
        object_type="webhook",
        objects=[(caller.agency_code, {"replaced": not created})],
    )
    session.flush()
    return hook, secret, created


def webhook_of(session: Session, caller: Caller) -> Webhook | None:
    return repository.webhook_of(session, caller.agency_id)


def remove_webhook(session: Session, caller: Caller) -> bool:
    """Remove the caller's agency's webhook and its pending deliveries; False if it had none."""
    hook = repository.webhook_of(session, caller.agency_id)
    if hook is None:
        return False
    session.execute(delete(Delivery).where(Delivery.webhook_id == hook.id))
    session.delete(hook)
    audit.record(
        session,
        caller,
        "webhook.removed",
        object_type="webhook",
        objects=[(caller.agency_code, None)],
    )
    session.flush()
    return True
