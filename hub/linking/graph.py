"""The part of the link graph around some signals, read from the blind-index tokens.

The graph is bipartite (signals and the tokens of their match keys) and lives in the database:
`identifiers` is its edge list. A neighbourhood grows from seed signals through the tokens they
share, skipping excluded values and values carried by more signals than their type's cap, up to
a bound, so no read ever walks the whole hub.
"""

import itertools
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import networkx as nx
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from sqlalchemy import (
    ColumnElement,
    Integer,
    LargeBinary,
    String,
    bindparam,
    cast,
    exists,
    func,
    literal_column,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from hub.kit.crypto import DataKeys
from hub.kit.listparam import array_param, one_of, values_of
from hub.kit.rows import plain_rows
from hub.linking import rules
from hub.linking.models import LinkExclusion
from hub.linking.persons import (
    NEAR_DOCUMENT,
    PersonKey,
    alike,
    candidates,
    document_parts,
    near_documents,
    on_partial_date,
    similarity,
)
from hub.signals.models import Identifier, Signal
from hub.signals.service import open_identifier
from hub.signals.subjects import BLOCKING_TYPES, FACT_TYPES

# Fact keys whose carriers are looked up, with the most carriers at which they still count:
# - a document number as a scanner may have read it (rules.ocr_key), so that numbers differing
#   only by a scanner's misreadings meet wherever they are, not only inside a birth-date block;
#   they link as a near document (SIMILAR_DOCUMENT), and stop at the document cap;
# - a name, so that a person without a birth date meets the same name (rules.NAME_ONLY), only
#   while the name is not common.
SHARED_FACTS: Mapping[str, int] = {
    "document-ocr": rules.FREQUENCY_CAP["document"],
    "person-name": rules.COMMON_NAME_FROM,
}
# Those whose carriers join the neighbourhood. Not a name: it counts only beside an agreeing
# address, phone, IBAN or document (rules.CORROBORATING_TYPES), which bring its carriers in
# anyway, so following names would only make every neighbourhood bigger.
_GROWS_THROUGH = frozenset({"document-ocr"})
_READ_TYPES = rules.LINKING_TYPES | BLOCKING_TYPES | SHARED_FACTS.keys()
_PERSON_KEYS = ("person", "person-partial")
# What a node's facts hold: the fact keys, and the match keys a conflict is read from.
_FACT_READ = FACT_TYPES | {"bsn", "document", *_PERSON_KEYS}

# Per signal, per subject position: key type -> tokens.
Facts = dict[int, dict[str, set[str]]]

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
    # Pairs of probably-same persons: (a, b) -> {blocking token: evidence}.
    similar: dict[tuple[uuid.UUID, uuid.UUID], dict[str, rules.Evidence]] = field(
        default_factory=dict
    )
    # The subject positions of those persons, (position in a, position in b), a < b.
    similar_at: dict[tuple[uuid.UUID, uuid.UUID], set[tuple[int, int]]] = field(
        default_factory=dict
    )
    # The nodes' fact keys (and person, BSN and document keys) by subject position.
    facts: dict[uuid.UUID, Facts] = field(default_factory=dict)
    # How many active signals carry each name (person-name token) the pairs rest on.
    name_counts: dict[str, int] = field(default_factory=dict)
    # The SHARED_FACTS two or more signals carry, up to their cap: type -> token -> carriers
    # (signal, subject position).
    shared_facts: dict[str, dict[str, frozenset[tuple[uuid.UUID, int]]]] = field(
        default_factory=dict
    )
    truncated: bool = False
    # The (type, token) keys whose carriers were read, so growing it reads each once.
    keys_read: set[tuple[str, str]] = field(default_factory=set)
    # Signal -> its document match values, opened (for near documents in a block).
    documents: dict[uuid.UUID, list[str]] = field(default_factory=dict)

    def add_similar(
        self,
        a: uuid.UUID,
        b: uuid.UUID,
        token: str,
        points: float,
        *,
        kind: str = rules.SIMILAR_PERSON,
        at: tuple[int, int] | None = None,
    ) -> None:
        """Two signals name probably the same person, found through the blocking `token`
        (`at`: the persons' subject positions in a and b)."""
        pair = (min(a, b), max(a, b))
        found = self.similar.setdefault(pair, {})
        key = token if kind in _SIMILAR_PERSONS else f"{kind}:{token}"
        if key not in found or points > found[key].points:
            found[key] = rules.Evidence(kind, token, points)
        if at is not None:
            self.similar_at.setdefault(pair, set()).add(at if a < b else (at[1], at[0]))

    @property
    def scanned(self) -> dict[str, frozenset[tuple[uuid.UUID, int]]]:
        """Document numbers as a scanner may read them, shared: token -> carriers."""
        return self.shared_facts.setdefault("document-ocr", {})

    @property
    def named(self) -> dict[str, frozenset[tuple[uuid.UUID, int]]]:
        """Names, shared: token -> carriers."""
        return self.shared_facts.setdefault("person-name", {})

    def add_fact(self, signal_id: uuid.UUID, position: int, kind: str, token: str) -> None:
        self.facts.setdefault(signal_id, {}).setdefault(position, {}).setdefault(kind, set()).add(
            token
        )


_SIMILAR_PERSONS = (rules.SIMILAR_PERSON, rules.SIMILAR_PERSON_PARTIAL)


def _similar_kind(a: PersonKey, b: PersonKey) -> str:
    return rules.SIMILAR_PERSON_PARTIAL if on_partial_date(a, b) else rules.SIMILAR_PERSON


def _tokens_of(
    session: Session, ids: Iterable[uuid.UUID], hood: Neighbourhood
) -> dict[tuple[str, str], set[uuid.UUID]]:
    """(type, token) -> which of these signals carry it, for their match and blocking keys, if
    active, and for values not excluded from linking; their fact keys go to `hood.facts` in the
    same read. Keyed by the strings, with sets of ids: a tuple holding an id hashes it in Python
    each time, and a step read 165,000 rows into sets of such tuples and over them again."""
    found: dict[tuple[str, str], set[uuid.UUID]] = {}
    for chunk in chunks(ids):
        for signal_id, position, kind, token in plain_rows(session, _TOKENS_OF, {"ids": chunk}):
            if kind in _FACT_READ:
                hood.add_fact(signal_id, position, kind, token)
            if kind not in FACT_TYPES or kind in SHARED_FACTS:
                carriers = found.get((kind, token))
                if carriers is None:
                    found[(kind, token)] = {signal_id}
                else:
                    carriers.add(signal_id)
    return found


def _facts_of(session: Session, hood: Neighbourhood, ids: Iterable[uuid.UUID]) -> None:
    """The fact keys of these signals, into `hood.facts` (for relink, after the pairs)."""
    session.flush()  # read on the connection, past the ORM's rows and its autoflush
    for chunk in chunks(ids):
        for signal_id, position, kind, token in plain_rows(session, _FACTS_OF, {"ids": chunk}):
            hood.add_fact(signal_id, position, kind, token)


def _count_names(session: Session, hood: Neighbourhood) -> None:
    """How many signals carry each name the person evidence rests on (`hood.name_counts`):
    counted over the tokens, so a post, a correction, a retraction or a purge shows at once."""
    linking = {t for t, (kind, _) in hood.tokens.items() if kind in _PERSON_KEYS}
    names: set[str] = set()
    for (a, b), places in hood.similar_at.items():
        for pa, pb in places:
            names |= _at(hood, a, pa, "person-name") | _at(hood, b, pb, "person-name")
    if linking:
        for by_position in hood.facts.values():
            for keys in by_position.values():
                if any(keys.get(kind, set()) & linking for kind in _PERSON_KEYS):
                    names |= keys.get("person-name", set())
    names -= hood.name_counts.keys()
    if names:
        counted = _carriers(session, {("person-name", name) for name in names})
        hood.name_counts |= {name: n for (_, name), n in counted.items()}


def _at(hood: Neighbourhood, signal_id: uuid.UUID, position: int, kind: str) -> set[str]:
    return hood.facts.get(signal_id, {}).get(position, {}).get(kind, set())


_RETRACTED = aliased(Signal)
# The identifier's signal is active (a signal is active or retracted, nothing else). Built once:
# an alias and its clause cost more to make than the query costs to run.
NOT_RETRACTED: ColumnElement[bool] = ~exists().where(
    _RETRACTED.id == Identifier.signal_id, _RETRACTED.status == "retracted"
)
_TOKENS_OF = select(
    Identifier.signal_id, Identifier.subject_position, Identifier.type, Identifier.token
).where(
    one_of(Identifier.signal_id),
    Identifier.type.in_(sorted(_READ_TYPES | FACT_TYPES)),
    # Not a join to the active signals: a prepared statement's generic plan, which cannot
    # tell how many ids the array holds, walked every active signal for it.
    NOT_RETRACTED,
    # An excluded value is as if no signal carried it: it applies at once, in this read.
    ~exists().where(
        LinkExclusion.key_type == Identifier.type, LinkExclusion.token == Identifier.token
    ),
)


_FACTS_OF = select(
    Identifier.signal_id, Identifier.subject_position, Identifier.type, Identifier.token
).where(
    one_of(Identifier.signal_id),
    Identifier.type.in_(sorted(_FACT_READ)),
)


def _carriers(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """How many active signals carry each (type, token)."""
    counts: dict[tuple[str, str], int] = {}
    # By token alone, which the index serves (a token is keyed on its type already); a row-value
    # IN of (type, token) made PostgreSQL scan.
    for chunk in chunks({token for _, token in keys}):
        rows = session.execute(
            select(
                Identifier.type,
                Identifier.token,
                func.count(func.distinct(Identifier.signal_id)),
            )
            .where(values_of(session, Identifier.token, chunk), NOT_RETRACTED)
            .group_by(Identifier.type, Identifier.token)
        )
        counts.update({(kind, token): n for kind, token, n in rows if (kind, token) in keys})
    return counts


def _positions_with(
    session: Session, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], set[tuple[uuid.UUID, int]]]:
    found: dict[tuple[str, str], set[tuple[uuid.UUID, int]]] = defaultdict(set)
    for chunk in chunks({token for _, token in keys}):
        rows = session.execute(
            select(
                Identifier.type, Identifier.token, Identifier.signal_id, Identifier.subject_position
            ).where(values_of(session, Identifier.token, chunk), NOT_RETRACTED)
        )
        for kind, token, signal_id, position in rows:
            if (kind, token) in keys:
                found[(kind, token)].add((signal_id, position))
    return found


# Keys per statement when carriers are read with a limit each (one sub-select per key).
LIMITED_CHUNK = 50


def _carriers_up_to(
    session: Session, limits: Mapping[tuple[str, str], int]
) -> tuple[
    dict[tuple[str, str], set[tuple[uuid.UUID, int]]],
    dict[tuple[uuid.UUID, int], tuple[str, bytes]],
]:
    """The active carriers (signal, subject position) of each key, at most `limits[key]` rows
    of each: enough to tell a value past its cap without reading all 20,000 carriers of an
    employment agency's address, which is what made a post that carried one slow. For the
    blocking keys also what each carrier sealed with it (key id, blob): a block's persons come
    in the same read, from one range of a covering index."""
    found: dict[tuple[str, str], set[tuple[uuid.UUID, int]]] = defaultdict(set)
    sealed: dict[tuple[uuid.UUID, int], tuple[str, bytes]] = {}
    if session.get_bind().dialect.name == "postgresql":
        rows = _carriers_lateral(session, limits)
    else:
        rows = _carriers_unions(session, limits)
    for kind, token, signal_id, position, key_id, blob in rows:
        found[(kind, token)].add((signal_id, position))
        if blob is not None:
            sealed[(signal_id, position)] = (key_id, blob)
    return found, sealed


def _carriers_unions(session: Session, limits: Mapping[tuple[str, str], int]) -> Iterable[Any]:
    """One sub-select per key, fifty keys a statement. Blocking keys and the others go in
    statements of their own, so a statement's shape depends on its length alone and SQLAlchemy
    compiles each shape once (mixed, every chunk was a new shape, compiled anew)."""
    for blocking in (True, False):
        keys = sorted(k for k in limits if (k[0] in BLOCKING_TYPES) is blocking)
        for start in range(0, len(keys), LIMITED_CHUNK):
            chunk = keys[start : start + LIMITED_CHUNK]
            params: dict[str, object] = {}
            for i, (kind, token) in enumerate(chunk):
                params |= {f"k{i}": kind, f"t{i}": token, f"n{i}": limits[(kind, token)]}
            yield from session.connection().execute(
                _carriers_statement((blocking,) * len(chunk)), params
            )


def _carriers_lateral(session: Session, limits: Mapping[tuple[str, str], int]) -> Iterable[Any]:
    """PostgreSQL: every key in one statement of fixed text (the keys go in as arrays), each
    key's carriers read by a lateral sub-select with its own limit. Building and parsing a
    union of fifty sub-selects per fifty keys had cost more than running it."""
    for blocking, statement in ((True, _LATERAL_BLOCKS), (False, _LATERAL_KEYS)):
        keys = sorted(k for k in limits if (k[0] in BLOCKING_TYPES) is blocking)
        for chunk in chunks(keys):
            yield from plain_rows(
                session,
                statement,
                {
                    "types": [kind for kind, _ in chunk],
                    "tokens": [token for _, token in chunk],
                    "limits": [limits[key] for key in chunk],
                },
            )


def _lateral_statement(*, blocking: bool) -> Any:
    wanted = (
        func.unnest(
            array_param("types", String()),
            array_param("tokens", String()),
            array_param("limits", Integer()),
        )
        .table_valued("type", "token", "n")
        .render_derived()
    )
    # A block's carriers by the partial covering index: its predicate names the type, which
    # a prepared statement's generic plan can match only in the text, not in a parameter.
    (block_type,) = BLOCKING_TYPES
    same_type = (
        Identifier.type == literal_column(f"'{block_type}'")
        if blocking
        else Identifier.type == wanted.c.type
    )
    limited = (
        select(
            Identifier.signal_id,
            Identifier.subject_position,
            Identifier.key_id if blocking else cast(null(), String).label("key_id"),
            Identifier.value if blocking else cast(null(), LargeBinary).label("value"),
        )
        .where(Identifier.token == wanted.c.token, same_type, NOT_RETRACTED)
        .limit(wanted.c.n)
        .correlate(wanted)
        .lateral()
    )
    # Counted per key after its limit (a window in the limited select would count every
    # carrier). Most keys a step reads are carried by the signal just posted alone: such a key
    # links nothing, and its row was most of what a step fetched and looped over.
    carriers = select(limited, func.count().over().label("rows")).lateral()
    return (
        select(
            cast(wanted.c.type, String),
            cast(wanted.c.token, String),
            carriers.c.signal_id,
            carriers.c.subject_position,
            carriers.c.key_id,
            carriers.c.value,
        )
        .join_from(wanted, carriers, true())
        .where(carriers.c.rows > literal_column("1"))
    )


@lru_cache(maxsize=1024)
def _carriers_statement(blocking: tuple[bool, ...]) -> Any:
    """One sub-select per key, with the key and its limit as parameters: built once per shape
    (which keys are blocking keys), since building fifty sub-selects cost more than running them."""
    parts = []
    for i, block in enumerate(blocking):
        kind = bindparam(f"k{i}", type_=String)
        parts.append(
            select(
                select(
                    # The type from the parameter: the partial block index does not hold it,
                    # and reading it made every carrier of a block a heap fetch.
                    cast(kind, String).label("type"),
                    Identifier.token,
                    Identifier.signal_id,
                    Identifier.subject_position,
                    # Typed, so the sub-selects of a union agree (PostgreSQL insists).
                    Identifier.key_id if block else cast(null(), String).label("key_id"),
                    Identifier.value if block else cast(null(), LargeBinary).label("value"),
                )
                .where(
                    Identifier.token == bindparam(f"t{i}", type_=String),
                    Identifier.type == kind,
                    NOT_RETRACTED,
                )
                .limit(bindparam(f"n{i}", type_=Integer))
                .subquery()
            )
        )
    return union_all(*parts)


_LATERAL_BLOCKS = _lateral_statement(blocking=True)
_LATERAL_KEYS = _lateral_statement(blocking=False)


# A block's persons under either person key: one on a placeholder date is stored as
# person-partial, and a relink that read "person" alone never compared it.
_BLOCK_VALUE_TYPES = (*_PERSON_KEYS, "document")
# Built once: with an expanding IN each chunk was new SQL text to compile and parse (a relink
# of 200,000 signals sent 400 of them, 6.6 s).
_BLOCK_VALUES = select(
    Identifier.signal_id,
    Identifier.subject_position,
    Identifier.type,
    Identifier.key_id,
    Identifier.value,
).where(one_of(Identifier.signal_id), Identifier.type.in_(_BLOCK_VALUE_TYPES))


def _block_values(
    session: Session, data_keys: DataKeys, at: set[tuple[uuid.UUID, int]]
) -> tuple[dict[tuple[uuid.UUID, int], PersonKey], dict[uuid.UUID, list[str]]]:
    """The decrypted person match values at these (signal, subject position)s, and the document
    match values of their signals (for near-matches in a block): one read for both."""
    persons: dict[tuple[uuid.UUID, int], PersonKey] = {}
    documents: dict[uuid.UUID, list[str]] = defaultdict(list)
    for chunk in chunks({signal_id for signal_id, _ in at}):
        for signal_id, position, kind, key_id, blob in plain_rows(
            session, _BLOCK_VALUES, {"ids": chunk}
        ):
            if kind == "document":
                documents[signal_id].append(open_identifier(data_keys, signal_id, key_id, blob))
            elif (signal_id, position) in at:
                value = open_identifier(data_keys, signal_id, key_id, blob)
                persons[(signal_id, position)] = PersonKey.parse(value)
    return persons, documents


def _near_document_pairs(
    signals: Iterable[uuid.UUID], documents: dict[uuid.UUID, list[str]]
) -> Iterable[tuple[uuid.UUID, uuid.UUID]]:
    """Pairs of these signals holding document numbers one edit apart (rapidfuzz finds the
    candidates in one C call per number, `near_documents` decides)."""
    values = [(s, v) for s in dict.fromkeys(signals) for v in documents.get(s, ())]
    if len(values) < 2:
        return
    # Candidates in the OCR keys, so a scanner's O for 0 is no edit at all.
    numbers = [rules.ocr_key(document_parts(v)[1]) for _, v in values]
    for i, number in enumerate(numbers):
        for _, _, j in process.extract(
            number, numbers, scorer=DamerauLevenshtein.distance, score_cutoff=1, limit=None
        ):
            (a, va), (b, vb) = values[i], values[j]
            if i < j and a != b and near_documents(va, vb):
                yield a, b


def _block_persons(
    session: Session,
    data_keys: DataKeys,
    at: set[tuple[uuid.UUID, int]],
    sealed: Mapping[tuple[uuid.UUID, int], tuple[str, bytes]],
) -> dict[tuple[uuid.UUID, int], PersonKey]:
    """The persons of a block, decrypted from what their blocking keys sealed; those stored
    before the keys sealed the person (they hold the block key only) are read as before."""
    persons: dict[tuple[uuid.UUID, int], PersonKey] = {}
    older: set[tuple[uuid.UUID, int]] = set()
    for place in at:
        if place not in sealed:
            older.add(place)
            continue
        key = PersonKey.parse(open_identifier(data_keys, place[0], *sealed[place]))
        if _is_date(key.born):
            persons[place] = key
        else:
            older.add(place)
    if older:
        persons |= _block_values(session, data_keys, older)[0]
    return persons


def _is_date(text: str) -> bool:
    return len(text) == 10 and text[4] == "-" and text[7] == "-"


# Built once, as _BLOCK_VALUES: with an expanding IN each chunk was new SQL to compile.
_DOCUMENTS = select(Identifier.signal_id, Identifier.key_id, Identifier.value).where(
    one_of(Identifier.signal_id), Identifier.type == "document"
)


def _documents_of(
    session: Session, data_keys: DataKeys, hood: Neighbourhood, signal_ids: set[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """The document match values of these signals, each signal read and opened once per
    neighbourhood (its rounds meet the same block members again)."""
    unread = signal_ids - hood.documents.keys()
    hood.documents |= {signal_id: [] for signal_id in unread}
    for chunk in chunks(unread):
        for signal_id, key_id, blob in plain_rows(session, _DOCUMENTS, {"ids": chunk}):
            hood.documents[signal_id].append(open_identifier(data_keys, signal_id, key_id, blob))
    return {
        signal_id: hood.documents[signal_id]
        for signal_id in signal_ids
        if hood.documents[signal_id]
    }


def _compare_persons(
    session: Session,
    data_keys: DataKeys,
    hood: Neighbourhood,
    frontier: set[uuid.UUID],
    blocks: dict[tuple[str, str], set[tuple[uuid.UUID, int]]],
    *,
    sealed: Mapping[tuple[uuid.UUID, int], tuple[str, bytes]],
    with_documents: bool,
) -> set[uuid.UUID]:
    """Compare the frontier's persons with the others in their blocks; the signals of the
    persons found probably the same join the neighbourhood (returned). Documents are read
    only when a frontier signal holds one: only then can a near-identical pair involve it."""
    members_all = set().union(*blocks.values()) if blocks else set()
    persons = _block_persons(session, data_keys, members_all, sealed)
    documents = (
        _documents_of(session, data_keys, hood, {signal_id for signal_id, _ in persons})
        if with_documents
        else {}
    )
    joined: set[uuid.UUID] = set()
    for (_, token), members in blocks.items():
        present = [m for m in members if m in persons]
        new = [i for i, m in enumerate(present) if m[0] in frontier]
        folded = [persons[m].folded for m in present] if new else []
        spelling = [persons[m].spelling for m in present] if new else []
        for i in new:
            mine = present[i]
            # Only the block's persons rapidfuzz finds alike in either form: a block grows with
            # the hub, and comparing a new person with each of 65 (a hub of a million) cost
            # twice as much (bench/README.md).
            for j in alike(folded[i], folded) | alike(spelling[i], spelling):
                other = present[j]
                if other[0] == mine[0]:
                    continue
                points = similarity(persons[mine], persons[other])
                if points > 0:
                    kind = _similar_kind(persons[mine], persons[other])
                    hood.add_similar(
                        mine[0], other[0], token, points, kind=kind, at=(mine[1], other[1])
                    )
                    joined.add(other[0])
        if not documents:
            continue
        for a, b in _near_document_pairs((m[0] for m in members if m in persons), documents):
            if a in frontier or b in frontier:
                hood.add_similar(a, b, token, NEAR_DOCUMENT, kind=rules.SIMILAR_DOCUMENT)
                joined |= {a, b}
    return joined


def _cap(kind: str) -> int:
    """The most signals a key of this type may have and still count (or block)."""
    if kind in BLOCKING_TYPES:
        return rules.BLOCK_CAP
    return SHARED_FACTS[kind] if kind in SHARED_FACTS else rules.FREQUENCY_CAP[kind]


def neighbourhood(
    session: Session,
    seeds: Iterable[uuid.UUID],
    *,
    limit: int,
    data_keys: DataKeys | None = None,
    progress: Callable[[int], None] | None = None,
) -> Neighbourhood:
    """The active signals reachable from `seeds` through values that may link, up to `limit`.

    With `data_keys`, persons are also compared within their blocking keys (fuzzy matches).
    Each round costs two queries: the frontier's keys, and who carries them (as many as it takes
    to tell a value past its cap). `progress` hears the nodes read after each round."""
    hood = Neighbourhood()
    _grow(
        session, hood, set(seeds), limit=limit, data_keys=data_keys, posted=True, progress=progress
    )
    return hood


def grow(
    session: Session,
    hood: Neighbourhood,
    signals: Iterable[uuid.UUID],
    *,
    limit: int,
    data_keys: DataKeys | None = None,
    progress: Callable[[int], None] | None = None,
) -> set[uuid.UUID]:
    """Grow `hood` by these stored signals and what they reach, up to `limit` nodes in all;
    the nodes it gained. Reads only what the neighbourhood did not hold yet."""
    before = set(hood.nodes)
    _grow(
        session,
        hood,
        set(signals) - before,
        limit=limit,
        data_keys=data_keys,
        posted=False,
        progress=progress,
    )
    return hood.nodes - before


def _grow(
    session: Session,
    hood: Neighbourhood,
    frontier: set[uuid.UUID],
    *,
    limit: int,
    data_keys: DataKeys | None,
    posted: bool,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Read rounds from `frontier` until nothing new is reached. `posted`: the frontier holds
    the signals just posted, corrected or retracted, which may have pushed a value over its cap.
    """
    # Read on the session's connection, past the ORM's per-row handling (a step reads some
    # 300,000 rows); so the ORM's pending changes are flushed first, as its autoflush would.
    session.flush()
    seen = hood.keys_read
    first = posted
    while frontier:
        found = _tokens_of(session, frontier, hood)
        hood.nodes.update(*found.values())
        keys = found.keys() - seen
        seen |= keys
        # How many of the seeds carry each key: only they changed its count.
        by_seeds = Counter({key: len(found[key]) for key in keys} if first else {})
        # Enough rows of each key to know whether it is past its cap (or, for a value the seeds
        # just pushed past it, to have every carrier it linked before).
        limits = {key: _cap(key[0]) + 1 + by_seeds[key] for key in keys}
        carriers, sealed = _carriers_up_to(session, limits)
        # A signal may carry a value twice: a key that filled its limit with fewer signals
        # than that is counted exactly.
        counts = {key: len({s for s, _ in rows}) for key, rows in carriers.items()}
        short = {k for k, n in counts.items() if len(carriers[k]) >= limits[k] > n}
        counts |= _carriers(session, short)
        linking, crossed, blocking, facts = set(), set(), set(), set()
        for key, n in counts.items():
            if key[0] in BLOCKING_TYPES:
                if 2 <= n <= rules.BLOCK_CAP:
                    blocking.add(key)
            elif key[0] in SHARED_FACTS:
                if 2 <= n <= SHARED_FACTS[key[0]]:
                    facts.add(key)
            elif rules.over_cap(key[0], n):
                hood.capped[key] = n  # at least n: counting stops past the cap
                if n - by_seeds[key] <= rules.FREQUENCY_CAP[key[0]]:
                    # The seeds pushed it over its cap just now: the signals that were linked
                    # through it must be re-clustered without it.
                    crossed.add(key)
            elif rules.credit(key[0], n) > 0:
                linking.add(key)
        first = False
        if short:
            carriers |= _positions_with(session, short & (linking | crossed | blocking | facts))
        current, frontier = frontier, set()
        if data_keys is not None and blocking:
            blocks = {key: carriers[key] for key in blocking if key in carriers}
            with_documents = any(
                kind == "document" and not holders.isdisjoint(current)
                for (kind, _), holders in found.items()
            )
            frontier |= _compare_persons(
                session,
                data_keys,
                hood,
                current,
                blocks,
                sealed=sealed,
                with_documents=with_documents,
            )
        for key in linking | crossed:
            signals = frozenset(signal_id for signal_id, _ in carriers.get(key, ()))
            if key in linking:
                hood.tokens[key[1]] = (key[0], signals)
            frontier |= signals
        for kind, token in facts:
            shared = frozenset(carriers.get((kind, token), ()))
            hood.shared_facts.setdefault(kind, {})[token] = shared
            if kind in _GROWS_THROUGH:
                frontier |= {signal_id for signal_id, _ in shared}
        frontier -= hood.nodes
        if len(hood.nodes) + len(frontier) > limit:
            hood.truncated = True
            frontier = set(itertools.islice(sorted(frontier), max(0, limit - len(hood.nodes))))
        hood.nodes |= frontier
        if progress is not None:
            progress(len(hood.nodes))
    _count_names(session, hood)


def pairs(hood: Neighbourhood) -> dict[tuple[uuid.UUID, uuid.UUID], list[rules.Evidence]]:
    """Every pair of nodes sharing a linking value, with the evidence of each shared value
    (person values less their name's commonness) and the evidence against it."""
    shared: dict[tuple[uuid.UUID, uuid.UUID], list[rules.Evidence]] = defaultdict(list)
    name_of = _names_of_persons(hood)
    for token, (kind, carriers) in hood.tokens.items():
        present = sorted(carriers & hood.nodes)
        # One value's evidence is the same for every pair carrying it (and immutable).
        evidence = rules.Evidence(
            kind, token, _value_points(hood, name_of, token, kind, len(carriers))
        )
        for a, b in itertools.combinations(present, 2):
            shared[(a, b)].append(evidence)
    for pair, found in hood.similar.items():
        if pair[0] in hood.nodes and pair[1] in hood.nodes:
            penalty = rules.name_penalty(
                max(
                    (
                        hood.name_counts.get(name, 0)
                        for pa, pb in hood.similar_at.get(pair, ())
                        for name in _at(hood, pair[0], pa, "person-name")
                        | _at(hood, pair[1], pb, "person-name")
                    ),
                    default=0,
                )
            )
            shared[pair].extend(
                e
                if e.key_type not in _SIMILAR_PERSONS
                else rules.Evidence(e.key_type, e.token, max(0.0, e.points - penalty))
                for e in found.values()
            )
    _scanned_alike(hood, shared)
    _names_alike(hood, shared)
    for pair, evidence in shared.items():
        evidence.extend(rules.conflict(kind) for kind in _conflicts(hood, pair, evidence))
    _count_parties(hood, shared, name_of)
    return shared


def _scanned_alike(
    hood: Neighbourhood, shared: dict[tuple[uuid.UUID, uuid.UUID], list[rules.Evidence]]
) -> None:
    """Near documents of two signals whose numbers differ but read the same as a scanner may
    have read them: found through the scanned token, no birth-date block needed."""
    for token, carriers in hood.scanned.items():
        present = sorted(c for c in carriers if c[0] in hood.nodes)
        for (a, pa), (b, pb) in itertools.combinations(present, 2):
            if a == b or _at(hood, a, pa, "document") & _at(hood, b, pb, "document"):
                continue  # one signal, or the same number: the document key says so
            pair = (min(a, b), max(a, b))
            if not any(e.key_type == rules.SIMILAR_DOCUMENT for e in shared.get(pair, ())):
                shared[pair].append(rules.Evidence(rules.SIMILAR_DOCUMENT, token, NEAR_DOCUMENT))


def _names_alike(
    hood: Neighbourhood, shared: dict[tuple[uuid.UUID, uuid.UUID], list[rules.Evidence]]
) -> None:
    """The same name where one person, or both, has no birth date (no birth-era fact): the
    person rules cannot judge it, and with dates on both sides they do."""
    for token, carriers in hood.named.items():
        present = [c for c in carriers if c[0] in hood.nodes]
        undated = [(a, pa) for a, pa in present if not _at(hood, a, pa, "birth-era")]
        for a, pa in undated:
            for b, pb in present:
                if a != b and ((b, pb) not in undated or (a, pa) < (b, pb)):
                    shared[(min(a, b), max(a, b))].append(
                        rules.Evidence(rules.NAME_ONLY, token, rules.NAME_ONLY_WEIGHT)
                    )


def _value_points(
    hood: Neighbourhood, name_of: Mapping[str, str], token: str, kind: str, carriers: int
) -> float:
    """A shared value's points, carried by `carriers` (a person's less its name's commonness)."""
    if kind in _PERSON_KEYS:
        names = hood.name_counts.get(name_of.get(token, ""), 0)
        return rules.person_credit(kind, carriers, names)
    return rules.credit(kind, carriers)


def _count_parties(
    hood: Neighbourhood,
    shared: dict[tuple[uuid.UUID, uuid.UUID], list[rules.Evidence]],
    name_of: Mapping[str, str],
) -> None:
    """Credit each value three or more signals carry by the parties carrying it
    (`rules.parties`): the groups the evidence counted by signals links. Once, not until
    nothing changes, so the result is what one reading of the evidence says."""
    crowded = [(t, kind, c) for t, (kind, c) in hood.tokens.items() if len(c) > 2]
    if not crowded:
        return
    party_of = _linked_groups(shared)
    for token, kind, carriers in crowded:
        counted = rules.parties(carriers, party_of)
        if counted == len(carriers):
            continue
        # One party: the value is only theirs, worth what two signals sharing it are.
        points = _value_points(hood, name_of, token, kind, max(2, counted))
        evidence = rules.Evidence(kind, token, points)
        for pair in itertools.combinations(sorted(carriers & hood.nodes), 2):
            shared[pair] = [
                evidence if (e.key_type, e.token) == (kind, token) else e for e in shared[pair]
            ]


def _linked_groups(
    shared: Mapping[tuple[uuid.UUID, uuid.UUID], list[rules.Evidence]],
) -> dict[uuid.UUID, uuid.UUID]:
    """Signal -> the smallest signal of the group its links reach (linked signals only)."""
    parent: dict[uuid.UUID, uuid.UUID] = {}

    def root(node: uuid.UUID) -> uuid.UUID:
        top = node
        while top in parent:
            top = parent[top]
        while node in parent and parent[node] != top:
            parent[node], node = top, parent[node]
        return top

    for (a, b), evidence in shared.items():
        if rules.pair_weight(evidence)[0] >= rules.LINK_THRESHOLD:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {node: root(node) for node in parent}


def _names_of_persons(hood: Neighbourhood) -> dict[str, str]:
    """Person value token -> the token of its name alone (both keys of one subject)."""
    out: dict[str, str] = {}
    for by_position in hood.facts.values():
        for keys in by_position.values():
            for name in keys.get("person-name", ()):
                for kind in _PERSON_KEYS:
                    out |= dict.fromkeys(keys.get(kind, ()), name)
    return out


def _person_facts(keys: Mapping[str, set[str]]) -> rules.PersonFacts:
    return rules.PersonFacts(
        bsn=frozenset(keys.get("bsn", ())),
        nationality=frozenset(keys.get("nationality", ())),
        eras=frozenset(
            [f"a{t}" for t in keys.get("birth-era", ())]
            + [f"b{t}" for t in keys.get("birth-era-shifted", ())]
        ),
    )


def _documents(by_position: Facts) -> dict[str, frozenset[str]]:
    """Scope token -> the OCR number tokens of the documents of that scope."""
    found: dict[str, set[str]] = defaultdict(set)
    for keys in by_position.values():
        for scope in keys.get("document-scope", ()):
            found[scope] |= keys.get("document-ocr", set())
    return {scope: frozenset(numbers) for scope, numbers in found.items()}


def _conflicts(
    hood: Neighbourhood, pair: tuple[uuid.UUID, uuid.UUID], evidence: list[rules.Evidence]
) -> set[str]:
    """What contradicts the pair: persons taken to be the same (same name, same name and date,
    or found similar) whose BSN, nationality or birth year differ; documents that differ."""
    a, b = hood.facts.get(pair[0], {}), hood.facts.get(pair[1], {})
    if not a or not b:
        return set()
    found: set[str] = set()
    places = set(hood.similar_at.get(pair, ()))
    for pa, keys_a in a.items():
        name_a = keys_a.get("person-name")
        if not name_a:
            continue
        for pb, keys_b in b.items():
            if name_a & keys_b.get("person-name", set()):
                places.add((pa, pb))
    # Persons contradict only when every way of pairing them does: a signal naming a father and
    # a son of one name agrees with another naming either.
    each = [
        rules.person_conflicts(_person_facts(a[pa]), _person_facts(b[pb]))
        for pa, pb in places
        if pa in a and pb in b
    ]
    if each and all(each):
        found.update(kind for kinds in each for kind in kinds)
    near = any(e.key_type == rules.SIMILAR_DOCUMENT for e in evidence)
    if not near and rules.document_conflict(_documents(a), _documents(b)):
        found.add("document-conflict")
    return found


def whole(session: Session, *, data_keys: DataKeys | None = None) -> Neighbourhood:
    """Every value that may link, with its carriers, read in one sorted pass (for relink).

    Only values carried by two or more active signals are kept, so memory follows the links,
    not the number of signals. With `data_keys`, persons are compared within their blocks."""
    excluded = set(session.execute(select(LinkExclusion.key_type, LinkExclusion.token)).all())
    hood = Neighbourhood()
    blocks: list[tuple[str, list[tuple[uuid.UUID, int]]]] = []
    # On the session's connection, not through the ORM: its per-row handling of two million
    # rows was a tenth of a relink.
    session.flush()
    rows = session.connection().execute(
        select(Identifier.type, Identifier.token, Identifier.signal_id, Identifier.subject_position)
        .join(Signal, Signal.id == Identifier.signal_id)
        .where(Signal.status == "active", Identifier.type.in_(_READ_TYPES))
        .order_by(Identifier.type, Identifier.token)
        .execution_options(yield_per=20_000)
    )
    for (kind, token), group in itertools.groupby(rows, key=lambda r: (r[0], r[1])):
        carriers = [(signal_id, position) for _, _, signal_id, position in group]
        signals = frozenset(c[0] for c in carriers)
        if len(signals) < 2:
            continue
        if kind in BLOCKING_TYPES:
            if len(signals) <= rules.BLOCK_CAP and data_keys is not None:
                blocks.append((token, carriers))
        elif kind in SHARED_FACTS:
            if len(signals) <= SHARED_FACTS[kind]:
                hood.shared_facts.setdefault(kind, {})[token] = frozenset(carriers)
                if kind in _GROWS_THROUGH:
                    hood.nodes |= signals
        elif (kind, token) in excluded:
            continue
        elif rules.over_cap(kind, len(signals)):
            hood.capped[(kind, token)] = len(signals)
        elif rules.credit(kind, len(signals)) > 0:
            hood.tokens[token] = (kind, signals)
            hood.nodes |= signals
    if blocks and data_keys is not None:
        _compare_blocks(session, data_keys, hood, blocks)
    _facts_of(session, hood, hood.nodes)
    _count_names(session, hood)
    return hood


def _compare_blocks(
    session: Session,
    data_keys: DataKeys,
    hood: Neighbourhood,
    blocks: list[tuple[str, list[tuple[uuid.UUID, int]]]],
) -> None:
    """Fuzzy person pairs within each block: rapidfuzz finds the candidates (one C call per
    person), `similarity` decides (dates, the missing-middle-name rule)."""
    persons, documents = _block_values(
        session, data_keys, {c for _, carriers in blocks for c in carriers}
    )
    for token, carriers in blocks:
        present = [c for c in carriers if c in persons]
        # Candidates in both forms: as written (folded) and in the spelling keys.
        found = candidates([persons[c].folded for c in present]) | candidates(
            [persons[c].spelling for c in present]
        )
        for i, j in sorted(found):
            a, b = present[i], present[j]
            if a[0] == b[0]:
                continue
            points = similarity(persons[a], persons[b])
            if points > 0:
                kind = _similar_kind(persons[a], persons[b])
                hood.add_similar(a[0], b[0], token, points, kind=kind, at=(a[1], b[1]))
                hood.nodes |= {a[0], b[0]}
        for a_id, b_id in _near_document_pairs((c[0] for c in present), documents):
            hood.add_similar(a_id, b_id, token, NEAR_DOCUMENT, kind=rules.SIMILAR_DOCUMENT)
            hood.nodes |= {a_id, b_id}


def components(links: Iterable[tuple[uuid.UUID, uuid.UUID]]) -> list[set[uuid.UUID]]:
    """The connected pieces of the linked pairs (signals without a link are in none)."""
    graph = nx.Graph()
    graph.add_edges_from(links)
    return [set(c) for c in nx.connected_components(graph)]


def groups(
    indexes: Iterable[int], pieces: list[set[uuid.UUID]], *, size: int
) -> Iterable[list[int]]:
    """Pieces bundled up to `size` signals (a bigger piece goes alone)."""
    group: list[int] = []
    count = 0
    for i in indexes:
        if group and count + len(pieces[i]) > size:
            yield group
            group, count = [], 0
        group.append(i)
        count += len(pieces[i])
    if group:
        yield group
