"""Recording audit events, in the same transaction as the change they describe."""

from typing import Any

from sqlalchemy.orm import Session

from hub.audit.models import AuditEvent
from hub.auth.caller import Caller
from hub.covenants.policy import Grant
from hub.db import now
from hub.kit.bulk import insert_rows


def record(
    session: Session,
    caller: Caller,
    action: str,
    *,
    object_type: str,
    objects: list[tuple[str, dict[str, Any] | None]],
    purpose: str | None = None,
) -> None:
    """One event per object: (object id, detail). Details never hold identifiers or text."""
    if not objects:
        return
    at = now()
    insert_rows(
        session,
        AuditEvent,
        [
            {
                "occurred_at": at,
                "agency": caller.agency_code,
                "client_id": caller.client_id,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "purpose": purpose,
                "detail": detail,
                "level": None,
                "covenant_id": None,
                "covenant_version": None,
                "rule_id": None,
            }
            for object_id, detail in objects
        ],
    )


def disclosed(
    session: Session,
    caller: Caller,
    purpose: str,
    grants: list[tuple[str, Grant]],
) -> None:
    """One event per signal shown to an agency other than its source: which level, which
    covenant version and rule allowed it, for which purpose."""
    if not grants:
        return
    at = now()
    insert_rows(
        session,
        AuditEvent,
        [
            {
                "occurred_at": at,
                "agency": caller.agency_code,
                "client_id": caller.client_id,
                "action": "signal.disclosed",
                "object_type": "signal",
                "object_id": signal_id,
                "purpose": purpose,
                "detail": None,
                "level": grant.level.label,
                "covenant_id": grant.covenant_id,
                "covenant_version": grant.covenant_version,
                "rule_id": grant.rule_id,
            }
            for signal_id, grant in grants
        ],
    )
