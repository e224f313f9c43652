"""Why the members a viewer sees are together: every shared value, and the analysts' hands.

Three kinds of entries, over the members the viewer may see only:
- `link`: a link the linker kept, with the evidence it counted (and any further value the pair
  shares);
- `shared`: a pair that shares values the linker did not keep as a link (a KvK number carried
  by three signals, say, is below the link threshold alone), scored as the linker scores them;
- `analyst`: members an analyst's merge or split holds together, naming the history event
  (the id `POST /undos` takes).
Values are shown at the lower of the two members' levels: the type and points always, a
pseudonym from `pseudonymised` up when both grants name the identifier's data category.
Evidence against a link (`bsn-conflict`, `document-conflict`, ...: hub.linking.rules) is
listed beside the shared values with its negative points and no pseudonym; a person match on
a partial birth date that nothing corroborated is listed with 0 points.
"""

import itertools
import uuid
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from hub.covenants.model import Level
from hub.covenants.policy import Grant
from hub.covenants.redact import pseudonymiser
from hub.covenants.viewer import Viewer
from hub.kit.crypto import DataKeys
from hub.linking.models import LinkJoin, ProposalEvent, ProposalLink
from hub.linking.rules import LINKING_TYPES, Evidence, credit, pair_weight
from hub.signals import repository
from hub.signals.models import Identifier

# Match-key types and the subject type (the covenant's data category) they come from.
_CATEGORY_OF = {
    "person": "person",
    "person-partial": "person",
    "bsn": "person",
    "kvk": "company",
    "company-name": "company",
}
_HELD_BY = ("merged", "split")

Pair = tuple[uuid.UUID, uuid.UUID]


def _names_type(grant: Grant, key_type: str) -> bool:
    return grant.own or _CATEGORY_OF.get(key_type, key_type) in grant.categories


def explanation(
    session: Session,
    keys: DataKeys,
    viewer: Viewer,
    proposal_id: uuid.UUID,
    grants: Mapping[uuid.UUID, Grant],
) -> list[dict[str, Any]]:
    """The entries explaining the visible members of one proposal (see the module)."""
    pseudonym = pseudonymiser(keys.pseudonym_key, viewer.code)

    def shown(a: Grant, b: Grant, key_type: str, token: str, points: float) -> dict[str, Any]:
        item: dict[str, Any] = {"type": key_type, "points": points}
        # A conflict has no token: there is no one value to name.
        named = all(g.level >= Level.PSEUDONYMISED and _names_type(g, key_type) for g in (a, b))
        if token and named:
            item["pseudonym"] = pseudonym(key_type, token)
        return item

    stored = {
        (link.signal_a, link.signal_b): link
        for link in session.scalars(
            select(ProposalLink).where(ProposalLink.proposal_id == proposal_id)
        )
        if link.signal_a in grants and link.signal_b in grants
    }
    shared = _shared_values(session, sorted(grants))
    points = _credits(session, {value for values in shared.values() for value in values})
    links, pairs = [], []
    for pair in sorted(set(stored) | set(shared)):
        a, b = grants[pair[0]], grants[pair[1]]
        link = stored.get(pair)
        counted = [tuple(e) for e in link.evidence] if link is not None else []
        known = {(t, token) for t, token, _ in counted}
        extra = sorted(v for v in shared.get(pair, ()) if v not in known)
        items = [shown(a, b, t, token, p) for t, token, p in counted]
        items += [shown(a, b, t, token, points[t, token]) for t, token in extra]
        entry: dict[str, Any] = {"signals": [str(pair[0]), str(pair[1])], "shared": items}
        if link is not None:
            links.append(entry | {"kind": "link", "points": link.points, "bridge": link.bridge})
        else:
            total, _ = pair_weight(Evidence(t, token, points[t, token]) for t, token in extra)
            pairs.append(entry | {"kind": "shared", "points": total, "bridge": False})
    links.sort(key=lambda e: -e["points"])
    pairs.sort(key=lambda e: -e["points"])
    return links + pairs + _held(session, proposal_id, set(grants))


def _shared_values(session: Session, ids: list[uuid.UUID]) -> dict[Pair, set[tuple[str, str]]]:
    """Per pair of these signals (ordered ids), the linking match keys (type, token) both
    carry."""
    carriers: dict[tuple[str, str], set[uuid.UUID]] = defaultdict(set)
    for signal_id, by_subject in repository.match_keys(session, ids).items():
        for values in by_subject.values():
            # Blocking keys (a birth date, say) only narrow the search: they prove nothing.
            for value in values:
                if value[0] in LINKING_TYPES:
                    carriers[value].add(signal_id)
    out: dict[Pair, set[tuple[str, str]]] = defaultdict(set)
    for value, holders in carriers.items():
        for a, b in itertools.combinations(sorted(holders), 2):
            out[a, b].add(value)
    return out


def _credits(session: Session, values: set[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """What each value counts as the linker counts it: by how many signals carry it."""
    found: dict[tuple[str, str], float] = {}
    ordered = sorted(values)
    for start in range(0, len(ordered), 400):
        chunk = ordered[start : start + 400]
        for key_type, token, carriers in session.execute(
            select(
                Identifier.type, Identifier.token, func.count(func.distinct(Identifier.signal_id))
            )
            .where(tuple_(Identifier.type, Identifier.token).in_(chunk))
            .group_by(Identifier.type, Identifier.token)
        ):
            found[key_type, token] = round(credit(key_type, carriers), 6)
    return {value: found.get(value, 0.0) for value in values}


def _held(
    session: Session, proposal_id: uuid.UUID, visible: set[uuid.UUID]
) -> list[dict[str, Any]]:
    """The merges and splits (not undone) whose joins still hold visible members together."""
    events = list(
        session.scalars(
            select(ProposalEvent)
            .where(
                ProposalEvent.proposal_id == proposal_id,
                ProposalEvent.action.in_((*_HELD_BY, "split-from", "undone")),
            )
            .order_by(ProposalEvent.pk)
        )
    )
    # A part split off holds together by the split recorded on the proposal it came from.
    origins = [uuid.UUID(e.detail["from"]) for e in events if e.action == "split-from"]
    if origins:
        events += [
            e
            for e in session.scalars(
                select(ProposalEvent).where(
                    ProposalEvent.proposal_id.in_(origins), ProposalEvent.action == "split"
                )
            )
            if (e.detail or {}).get("part") == str(proposal_id)
        ]
    undone = {(e.detail or {}).get("event") for e in events if e.action == "undone"}
    joins = set(
        session.execute(
            select(LinkJoin.signal_a, LinkJoin.signal_b).where(
                LinkJoin.signal_a.in_(sorted(visible)) | LinkJoin.signal_b.in_(sorted(visible))
            )
        ).all()
    )
    out = []
    for event in sorted(events, key=lambda e: e.pk):
        if event.action not in _HELD_BY or event.pk in undone:
            continue
        held = set()
        for a, b in (event.detail or {}).get("joins", []):
            pair = (uuid.UUID(a), uuid.UUID(b))
            if pair in joins:
                held |= {m for m in pair if m in visible}
        if held:
            out.append(
                {
                    "kind": "analyst",
                    "signals": sorted(str(m) for m in held),
                    "points": 0.0,
                    "bridge": False,
                    "shared": [],
                    "event": event.pk,
                    "action": event.action,
                }
            )
    return out
