"""Hit/no-hit lookups through the one policy decision point.

An identifier is turned into its blind-index tokens, the active signals holding those tokens
are found, and each is decided and redacted exactly as a read is (`hub.signals.reads`). A
signal the caller may not see does not hit: the answer is then the same as for an identifier
nobody knows.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from hub.audit import service as audit
from hub.covenants import sql
from hub.covenants.model import Level
from hub.covenants.viewer import Viewer
from hub.kit.crypto import DataKeys
from hub.ldv import collect as ldv
from hub.signals.models import Identifier, Signal

# The read path's decision and redaction, reused as they are, so a lookup can never decide
# differently from a read of the same signal.
from hub.signals.reads import disclose, grants_for
from hub.signals.subjects import Subject, identifier_keys


@dataclass(frozen=True)
class Answer:
    index: int
    type: str
    matches: list[dict[str, Any]]

    @property
    def hit(self) -> bool:
        return bool(self.matches)


def _signals_by_token(
    session: Session, tokens: set[str], visible: ColumnElement[bool]
) -> dict[str, dict[int, Signal]]:
    """Active signals holding each token that the policy clause lets through, by posting order.

    Retracted signals never hit. The clause keeps a common identifier (a shelter's address
    named in thousands of signals) from loading every signal that names it."""
    by_token: dict[str, dict[int, Signal]] = defaultdict(dict)
    if not tokens:
        return by_token
    rows = session.execute(
        select(Identifier.token, Signal)
        .join(Signal, Signal.id == Identifier.signal_id)
        .where(Identifier.token.in_(tokens), Signal.status == "active", visible)
    )
    # A signal naming the same identifier twice comes back twice; keyed by pk it counts once.
    for token, signal in rows:
        by_token[token][signal.pk] = signal
    return by_token


def look_up(
    session: Session,
    keys: DataKeys,
    viewer: Viewer,
    identifiers: list[Subject],
) -> list[Answer]:
    """Per identifier, the signals naming it that the caller may see (at least at `hit`), each
    redacted to its grant. Every match shown is a disclosure; the lookup itself is one audit
    event carrying counts only, never an identifier."""
    tokens_of = [
        {keys.blind_index(key.type, key.value) for key in identifier_keys(subject)}
        for subject in identifiers
    ]
    clause = sql.visible_to(viewer, min_level=Level.HIT)
    by_token = _signals_by_token(session, set().union(*tokens_of), clause)
    candidates = sorted(
        {pk: s for found in by_token.values() for pk, s in found.items()}.values(),
        key=lambda s: s.pk,
    )
    grants = grants_for(session, viewer, candidates)
    # Each signal is decided, redacted and audited once, however many identifiers it matches.
    # Should the SQL and the policy ever disagree, the stricter answer wins.
    pairs = [(s, g) for s, g in zip(candidates, grants, strict=True) if g.level >= Level.HIT]
    # The lookup's id on each disclosure it caused, so an owner can tell lookups that hit its
    # signals from reads of them (its nightly digest counts them per looking-up agency).
    lookup_id = str(uuid.uuid4())
    shown = dict(
        zip(
            (s.id for s, _ in pairs),
            disclose(session, keys, viewer, pairs, detail={"lookup": lookup_id}),
            strict=True,
        )
    )
    # The persons asked about are data subjects of the lookup, hit or not.
    ldv.looked_up(
        session,
        lookup_id,
        [
            [(key.type, keys.blind_index(key.type, key.value)) for key in identifier_keys(subject)]
            for subject in identifiers
        ],
    )
    answers = []
    for index, (subject, tokens) in enumerate(zip(identifiers, tokens_of, strict=True)):
        matched = {pk: s.id for token in tokens for pk, s in by_token.get(token, {}).items()}
        matches = [shown[sid] for _, sid in sorted(matched.items()) if sid in shown]
        answers.append(Answer(index, subject.type, matches))
    audit.record(
        session,
        viewer.caller,
        "lookup.performed",
        object_type="lookup",
        objects=[
            (
                lookup_id,
                {"identifiers": len(answers), "hits": sum(a.hit for a in answers)},
            )
        ],
        purpose=viewer.purpose,
    )
    return answers
