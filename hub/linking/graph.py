"""The part of the link graph around some signals, read from the blind-index tokens.

The graph is bipartite (signals and the tokens of their match keys) and lives in the database:
`identifiers` is its edge list. A neighbourhood grows from seed signals through the tokens they
share, skipping excluded values and values carried by more signals than their type's cap, up to
a bound, so no read ever walks the whole hub.
"""

import itertools
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from hub.linking import rules
from hub.linking.models import LinkExclusion
from hub.signals.models import Identifier, Signal

# Lists of ids and tokens go to the database in chunks this size (far below driver limits).
CHUNK = 500


def chunks(values: Iterable[object]) -> Iterable[list[object]]:
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


@dataclass
class Neighbourhood:
    nodes: set[uuid.UUID] = field(default_factory=set)
    # token -> (key type, the active signals carrying it), for the tokens that may link.
    tokens: dict[str, tuple[str, frozenset[uuid.UUID]]] = field(default_factory=dict)
    # Values seen that are too common to link: (key type, token) -> carriers.
    capped: dict[tuple[str, str], int] = field(default_factory=dict)
    truncated: bool = False


def _active(session: Session, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for chunk in chunks(ids):
        found.update(
            session.scalars(
                select(Signal.id).where(Signal.id.in_(chunk), Signal.status == "active")
            )
        )
    return found


def _tokens_of(session: Session, ids: Iterable[uuid.UUID]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for chunk in chunks(ids):
        found.update(
            session.execute(
                select(Identifier.type, Identifier.token).where(
                    Identifier.signal_id.in_(chunk), Identifier.type.in_(rules.LINKING_TYPES)
                )
            ).all()
        )
    return found


def _carriers(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """How many active signals carry each (type, token)."""
    counts: dict[tuple[str, str], int] = {}
    for chunk in chunks(keys):
        rows = session.execute(
            select(
                Identifier.type,
                Identifier.token,
                func.count(func.distinct(Identifier.signal_id)),
            )
            .join(Signal, Signal.id == Identifier.signal_id)
            .where(tuple_(Identifier.type, Identifier.token).in_(chunk), Signal.status == "active")
            .group_by(Identifier.type, Identifier.token)
        )
        counts.update({(kind, token): n for kind, token, n in rows})
    return counts


def _excluded(session: Session, keys: set[tuple[str, str]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for chunk in chunks(keys):
        found.update(
            session.execute(
                select(LinkExclusion.key_type, LinkExclusion.token).where(
                    tuple_(LinkExclusion.key_type, LinkExclusion.token).in_(chunk)
                )
            ).all()
        )
    return found


def _signals_with(
    session: Session, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], set[uuid.UUID]]:
    found: dict[tuple[str, str], set[uuid.UUID]] = defaultdict(set)
    for chunk in chunks(keys):
        rows = session.execute(
            select(Identifier.type, Identifier.token, Identifier.signal_id)
            .join(Signal, Signal.id == Identifier.signal_id)
            .where(tuple_(Identifier.type, Identifier.token).in_(chunk), Signal.status == "active")
        )
        for kind, token, signal_id in rows:
            found[(kind, token)].add(signal_id)
    return found


def neighbourhood(session: Session, seeds: Iterable[uuid.UUID], *, limit: int) -> Neighbourhood:
    """The active signals reachable from `seeds` through values that may link, up to `limit`."""
    hood = Neighbourhood()
    seeds = set(seeds)
    frontier = _active(session, seeds)
    hood.nodes |= frontier
    seen: set[tuple[str, str]] = set()
    crossed: set[tuple[str, str]] = set()
    while frontier:
        keys = _tokens_of(session, frontier) - seen
        seen |= keys
        keys -= _excluded(session, keys)
        counts = _carriers(session, keys)
        linking = set()
        for key, n in counts.items():
            if rules.over_cap(key[0], n):
                hood.capped[key] = n
                if n <= rules.FREQUENCY_CAP[key[0]] + len(seeds):
                    # The seeds may just have pushed it over its cap: the signals that were
                    # linked through it must be re-clustered without it.
                    crossed.add(key)
            elif rules.credit(key[0], n) > 0:
                linking.add(key)
        frontier = set()
        for key, carriers in _signals_with(session, linking | crossed).items():
            if key not in crossed:
                hood.tokens[key[1]] = (key[0], frozenset(carriers))
            frontier |= carriers - hood.nodes
        crossed.clear()
        if len(hood.nodes) + len(frontier) > limit:
            hood.truncated = True
            frontier = set(itertools.islice(sorted(frontier), max(0, limit - len(hood.nodes))))
        hood.nodes |= frontier
    return hood


def pairs(hood: Neighbourhood) -> dict[tuple[uuid.UUID, uuid.UUID], list[rules.Evidence]]:
    """Every pair of nodes sharing a linking value, with the evidence of each shared value."""
    shared: dict[tuple[uuid.UUID, uuid.UUID], list[rules.Evidence]] = defaultdict(list)
    for token, (kind, carriers) in hood.tokens.items():
        present = sorted(carriers & hood.nodes)
        points = rules.credit(kind, len(carriers))
        for a, b in itertools.combinations(present, 2):
            shared[(a, b)].append(rules.Evidence(kind, token, points))
    return shared
