"""Values that must not link: the exclusion list, and the values too common to link.

An exclusion (a shelter's address, an agency's own office, a big employment agency's
switchboard) is kept by its blind-index token with a reason, and applies at once: the signals
that carry the value are re-linked in the same transaction. Values past their type's frequency
cap stop linking by themselves; `over_linked` lists them, as pseudonyms, for administrators.
"""

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from hub.covenants.redact import pseudonymiser
from hub.db import now
from hub.kit.bulk import insert_unless_exists
from hub.kit.crypto import DataKeys
from hub.linking import rules
from hub.linking.models import LinkExclusion
from hub.linking.service import Linker, LinkResult
from hub.signals.models import Identifier, Signal
from hub.signals.subjects import Subject, identifier_keys

# The pseudonyms administrators see are keyed to this name, not to any partner agency.
ADMIN_VIEW = "hub-administrators"


def exclude(
    session: Session,
    keys: DataKeys,
    linker: Linker,
    subject: Subject,
    *,
    reason: str,
    by: str,
) -> tuple[int, LinkResult]:
    """Exclude every match key of `subject` from linking and re-link what carried them.

    Returns how many keys were newly excluded, and what re-linking changed."""
    added = 0
    tokens = []
    for key in identifier_keys(subject):
        token = keys.blind_index(key.type, key.value)
        tokens.append(token)
        row = {
            "key_type": key.type,
            "token": token,
            "reason": reason,
            "created_at": now(),
            "created_by": by,
        }
        added += insert_unless_exists(session, LinkExclusion, row, unique=("key_type", "token"))
    carriers = set(
        session.scalars(select(Identifier.signal_id).where(Identifier.token.in_(tokens)))
    )
    return added, linker(session, sorted(carriers, key=str))


@dataclass(frozen=True)
class OverLinked:
    key_type: str
    pseudonym: str
    carriers: int
    cap: int


def over_linked(session: Session, keys: DataKeys) -> list[OverLinked]:
    """Values carried by more active signals than their type's cap, most common first."""
    carriers = func.count(func.distinct(Identifier.signal_id))
    cap = case(rules.FREQUENCY_CAP, value=Identifier.type)
    rows = session.execute(
        select(Identifier.type, Identifier.token, carriers)
        .join(Signal, Signal.id == Identifier.signal_id)
        .where(Signal.status == "active", Identifier.type.in_(rules.LINKING_TYPES))
        .group_by(Identifier.type, Identifier.token)
        .having(carriers > cap)
        .order_by(carriers.desc(), Identifier.type, Identifier.token)
    )
    pseudonym = pseudonymiser(keys.pseudonym_key, ADMIN_VIEW)
    return [
        OverLinked(kind, pseudonym(kind, token), n, rules.FREQUENCY_CAP[kind])
        for kind, token, n in rows
    ]


def excluded_values(session: Session, keys: DataKeys) -> list[dict[str, object]]:
    """The exclusion list, as pseudonyms with their reasons."""
    pseudonym = pseudonymiser(keys.pseudonym_key, ADMIN_VIEW)
    return [
        {
            "type": row.key_type,
            "pseudonym": pseudonym(row.key_type, row.token),
            "reason": row.reason,
            "created_at": row.created_at,
            "created_by": row.created_by,
        }
        for row in session.scalars(select(LinkExclusion).order_by(LinkExclusion.created_at))
    ]
