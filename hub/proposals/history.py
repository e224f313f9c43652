"""A proposal's history as one viewer may read it: the linker's steps and the analysts' acts.

Analysts of other agencies appear by agency only; reasons, comments and an acceptance's
signal assessment are read by the writer's own agency; member ids in a split appear only where
the viewer may see the member.
"""

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from hub.auth.caller import Caller
from hub.kit.crypto import DataKeys
from hub.linking.models import ProposalEvent
from hub.proposals import repository
from hub.proposals.service import event_assessment, event_text

# What of each analyst action's stored detail a viewer may read (the rest is for undo).
_SHOWN = {
    "assigned": ("assignee",),
    "accepted": ("case_number", "opened"),
    "merged": ("other",),
    "merged-into": ("into",),
    "split": ("part", "members"),
    "split-from": ("from",),
    "undone": ("event", "action"),
    "closed": ("reason",),
}

# Shown of every event that has it: the linking rules it was made under (WGS art. 1.9(6)).
_RULESET = "ruleset"

# Details that name signals: each viewer reads only the ids of signals it may see.
_IDS = ("members", "opened")


def history(
    session: Session,
    keys: DataKeys,
    caller: Caller,
    proposal_id: uuid.UUID,
    visible: Callable[[set[uuid.UUID]], set[uuid.UUID]],
) -> list[dict[str, Any]]:
    """Every event of the proposal, oldest first, shaped for this viewer; `visible` says which
    of the signals named in the events the viewer may see."""
    events = repository.events(session, proposal_id)
    named = {uuid.UUID(m) for e in events if e.detail for k in _IDS for m in e.detail.get(k, ())}
    seen = visible(named) if named else set()
    return [_shape(keys, caller, e, seen) for e in events]


def _shape(
    keys: DataKeys, caller: Caller, event: ProposalEvent, visible: set[uuid.UUID]
) -> dict[str, Any]:
    own = event.agency is not None and event.agency == caller.agency_code
    shown = (*_SHOWN.get(event.action, ()), _RULESET)
    detail = {k: v for k, v in (event.detail or {}).items() if k in shown}
    for key in _IDS:
        if key in detail:
            detail[key] = [m for m in detail[key] if uuid.UUID(m) in visible]
    if event.action == "assigned" and not own:
        detail = {"assignee": "an analyst" if detail.get("assignee") else None}
    if event.agency is None:
        actor = event.actor
    else:
        actor = event.actor if own else f"an analyst of {event.agency}"
    return {
        "id": event.pk,
        "at": event.at,
        "action": event.action,
        "agency": event.agency,
        "actor": actor,
        "detail": detail,
        "text": event_text(keys, event) if own else None,
        "assessment": event_assessment(keys, event) if own else None,
    }
