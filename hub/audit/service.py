"""Recording audit events, in the same transaction as the change they describe."""

from typing import Any

from sqlalchemy.orm import Session

from hub.audit.models import AuditEvent
from hub.auth.caller import Caller
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
            }
            for object_id, detail in objects
        ],
    )
