"""Telling a partner that its signal joined an accepted case: the case, whom to contact, and
the case's other members as far as the partner's own covenants let it see them."""

import uuid
from typing import Any

from sqlalchemy.orm import Session

from hub.covenants.model import Level
from hub.covenants.viewer import Viewer
from hub.errors import NotFound
from hub.kit.crypto import DataKeys
from hub.proposals import repository as proposals
from hub.signals import repository
from hub.signals.reads import disclose, grants_for


def cases_of(
    session: Session,
    keys: DataKeys,
    viewer: Viewer,
    signal_id: uuid.UUID,
) -> list[dict[str, Any]]:
    """The accepted cases one of the caller's own signals is in; 404 for anyone else's."""
    if repository.own_signal(session, viewer.agency_id, signal_id) is None:
        raise NotFound(f"You have no signal {signal_id}.")
    cases = proposals.accepted_cases_holding(session, signal_id)
    out = []
    for case in cases:
        others = proposals.other_members(session, case.id, signal_id)
        grants = grants_for(session, viewer, others)
        pairs = [(s, g) for s, g in zip(others, grants, strict=True) if g.level >= Level.HIT]
        shown = disclose(session, keys, viewer, pairs) if pairs else []
        out.append(
            {
                "case_number": case.case_number,
                "accepted_by": case.accepted_by,
                "accepted_at": case.decided_at,
                "members": shown,
            }
        )
    return out
