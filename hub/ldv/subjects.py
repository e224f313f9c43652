"""The data subjects of a processing, as the pseudonyms the processing log carries.

A data subject is a person the hub holds: a `person` subject of a signal, or an identity
`document` (which names one person). Their log id is an HMAC, under a key of its own, of the
strongest blind-index token the hub holds for them: BSN, then name with birth date, then the
document; a person named by name alone gets one from the signal id and their place in it.
"""

import hmac
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from hub.digests.models import Digest
from hub.kit.listparam import one_of
from hub.linking.models import ProposalMember
from hub.signals.models import Identifier, Subject

PERSON_TYPES = ("person", "document")
# The strongest identifier first: the same person gets the same id across signals.
TOKEN_PREFERENCE = ("bsn", "person", "document")
CHUNK = 1000


@dataclass(frozen=True, order=True)
class DataSubject:
    id_kind: str  # a key of the register's subject_id_types
    pseudonym: str


def pseudonym(key: bytes, kind: str, value: str) -> DataSubject:
    """The log id of one data subject: HMAC-SHA256 of (kind, token or occurrence)."""
    digest = hmac.digest(key, kind.encode() + b"\x1f" + value.encode(), "sha256")
    return DataSubject(kind, digest.hex())


def strongest(key: bytes, keys: Iterable[tuple[str, str]]) -> DataSubject | None:
    """The subject of one identifier given as its (blind-index type, token)s, by its strongest
    token; None for an identifier that names no person (a phone, an address)."""
    held = [
        (TOKEN_PREFERENCE.index(kind), kind, token)
        for kind, token in keys
        if kind in TOKEN_PREFERENCE
    ]
    if not held:
        return None
    _, kind, token = min(held)
    return pseudonym(key, kind, token)


def of_subject(
    key: bytes, signal_id: str, position: int, keys: Iterable[tuple[str, str]]
) -> DataSubject:
    """The data subject a stored person or document is, from its (blind-index type, token)s:
    its strongest token, else its place in its signal."""
    return strongest(key, keys) or pseudonym(key, "occurrence", f"{signal_id}|{position}")


# Built once, the ids one array parameter on PostgreSQL: as an expanding IN each chunk of a
# linking step's thousands of signals was new statement text to render and parse.
_SUBJECT_TOKENS = (
    select(Subject.signal_id, Subject.position, Identifier.type, Identifier.token)
    .outerjoin(
        Identifier,
        and_(
            Identifier.signal_id == Subject.signal_id,
            Identifier.subject_position == Subject.position,
            Identifier.type.in_(TOKEN_PREFERENCE),
        ),
    )
    .where(one_of(Subject.signal_id), Subject.type.in_(PERSON_TYPES))
)


def by_signal(
    session: Session, key: bytes, signal_ids: Iterable[str]
) -> dict[str, list[DataSubject]]:
    """The data subjects held in each of these signals."""
    ids = list({i if isinstance(i, uuid.UUID) else uuid.UUID(str(i)) for i in signal_ids})
    found: dict[str, set[DataSubject]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(_SUBJECT_TOKENS, {"ids": ids[start : start + CHUNK]})
        tokens: dict[tuple[uuid.UUID, int], list[tuple[str, str]]] = {}
        for signal_id, position, kind, token in rows:
            held = tokens.setdefault((signal_id, position), [])
            if kind is not None:
                held.append((kind, token))
        for (signal_id, position), keys in tokens.items():
            person = of_subject(key, str(signal_id), position, keys)
            found.setdefault(str(signal_id), set()).add(person)
    return {signal_id: sorted(people) for signal_id, people in found.items()}


def members(session: Session, proposal_ids: Iterable[str]) -> list[str]:
    """The member signals of these proposals."""
    ids = [uuid.UUID(str(i)) for i in proposal_ids]
    if not ids:
        return []
    return [
        str(s)
        for s in session.scalars(
            select(ProposalMember.signal_id).where(ProposalMember.proposal_id.in_(ids))
        )
    ]


def digest_signals(session: Session, labels: Iterable[str]) -> list[str]:
    """The signals a digest names (agency:date labels, as the audit trail has them)."""
    from datetime import date

    from hub.agencies.models import Agency

    found: list[str] = []
    for label in labels:
        code, _, day = label.rpartition(":")
        try:
            when = date.fromisoformat(day)
        except ValueError:
            continue
        content = session.scalar(
            select(Digest.content)
            .join(Agency, Agency.id == Digest.agency_id)
            .where(Agency.code == code, Digest.digest_date == when)
        )
        if content is not None:
            found.extend(_signal_ids(json.loads(content)))
    return found


def _signal_ids(node: object) -> list[str]:
    """Every value under a key naming signal ids, anywhere in a digest document."""
    if isinstance(node, dict):
        out: list[str] = []
        for key, value in node.items():
            if key.endswith("signal_ids") and isinstance(value, list):
                out.extend(str(v) for v in value)
            elif key == "signal_id" and isinstance(value, str):
                out.append(value)
            else:
                out.extend(_signal_ids(value))
        return out
    if isinstance(node, list):
        return [i for item in node for i in _signal_ids(item)]
    return []
