"""The rules for posting, correcting and retracting signals. Services flush, never commit."""

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import delete, exists, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session

from hub.agencies.regions import region_of
from hub.audit import service as audit
from hub.auth.caller import Caller
from hub.barriers.vocabulary import BARRIER_ORDER
from hub.covenants.service import bind
from hub.db import now
from hub.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from hub.kit.bulk import insert_many, insert_rows, insert_unless_exists
from hub.kit.crypto import DataKeys, Sealed
from hub.ldv import collect as ldv
from hub.signals import repository
from hub.signals.models import (
    IdempotencyRecord,
    Identifier,
    Signal,
    SignalBarrier,
    SignalIndicator,
    SignalVersion,
    Subject,
)
from hub.signals.schemas import OWN_DISCLOSURE, SignalCreate, SignalOut, SignalUpdate
from hub.signals.subjects import Subject as SubjectModel
from hub.signals.subjects import blocking_keys, fact_keys, identifier_keys

_BARRIER_RANK = {code: i for i, code in enumerate(BARRIER_ORDER)}


def _context(kind: str, signal_id: uuid.UUID) -> bytes:
    # Binding each ciphertext to its signal stops a blob from being replayed onto another row.
    return kind.encode() + b":" + signal_id.bytes


def open_identifier(keys: DataKeys, signal_id: uuid.UUID, key_id: str, blob: bytes) -> str:
    """The normalised value of a stored match key (for scoring candidates inside the hub)."""
    return keys.open(Sealed(key_id, blob), context=_context("identifier", signal_id)).decode()


def _seal_summary(keys: DataKeys, signal_id: uuid.UUID, summary: str | None) -> Sealed | None:
    return (
        None
        if summary is None
        else keys.seal(summary.encode(), context=_context("summary", signal_id))
    )


def _insert_parts(
    session: Session,
    keys: DataKeys,
    rows: list[tuple[uuid.UUID, list[str], list[str], list[SubjectModel] | None]],
) -> None:
    """Barriers, indicators, sealed subjects and blind-indexed identifiers, inserted.
    Subjects None: the signal keeps the subjects it has."""
    insert_many(session, _parts_rows(session, keys, rows))


def _parts_rows(
    session: Session,
    keys: DataKeys,
    rows: list[tuple[uuid.UUID, list[str], list[str], list[SubjectModel] | None]],
) -> list[tuple[type[DeclarativeBase], list[dict[str, Any]]]]:
    """The rows of the parts `_insert_parts` inserts, per table; notes each signal's written
    subjects for the processing log (which names them without reading them back)."""
    barrier_rows = [{"signal_id": sid, "barrier": b} for sid, bs, _, _ in rows for b in bs]
    indicator_rows = [{"signal_id": sid, "code": c} for sid, _, cs, _ in rows for c in cs]
    subject_rows: list[dict[str, Any]] = []
    identifier_rows: list[dict[str, Any]] = []
    for signal_id, _, _, subjects in rows:
        if subjects is None:
            continue
        subject_context = _context("subject", signal_id)
        written = []
        for position, subject in enumerate(subjects):
            payload = subject.model_dump_json(exclude_none=True).encode()
            sealed = keys.seal(payload, context=subject_context)
            subject_rows.append(
                {
                    "signal_id": signal_id,
                    "position": position,
                    "type": subject.type,
                    "key_id": sealed.key_id,
                    "payload": sealed.blob,
                }
            )
            tokens = _identifier_rows(keys, signal_id, position, subject)
            identifier_rows += tokens
            written.append((position, subject.type, [(t["type"], t["token"]) for t in tokens]))
        ldv.wrote_subjects(session, signal_id, written)
    return [
        (SignalBarrier, barrier_rows),
        (SignalIndicator, indicator_rows),
        (Subject, subject_rows),
        (Identifier, identifier_rows),
    ]


def _identifier_rows(
    keys: DataKeys, signal_id: uuid.UUID, position: int, subject: SubjectModel
) -> list[dict[str, Any]]:
    """The stored match, blocking and fact keys of one subject: sealed value and token."""
    context = _context("identifier", signal_id)
    rows = []
    for key in [*identifier_keys(subject), *blocking_keys(subject), *fact_keys(subject)]:
        stored = key.value if key.sealed is None else key.sealed
        value = keys.seal(stored.encode(), context=context)
        rows.append(
            {
                "signal_id": signal_id,
                "subject_position": position,
                "type": key.type,
                "key_id": value.key_id,
                "value": value.blob,
                "token": keys.blind_index(key.type, key.value),
            }
        )
    return rows


_SUBJECT: TypeAdapter[SubjectModel] = TypeAdapter(SubjectModel)
# A person or document stored before its fact keys existed (issue 18) lacks this key type.
_KEYED_BY = {"person": "person-name", "document": "document-scope"}


def rekey(session: Session, keys: DataKeys, *, batch: int = 2000) -> int:
    """Give persons and documents stored before the fact keys existed their keys anew (the
    partial-date person key too), from their sealed subjects; returns how many. A no-op once
    done, so `hub relink` runs it first. Only the hub's own derived keys change."""
    lacking = (
        select(Subject.signal_id, Subject.position, Subject.type, Subject.key_id, Subject.payload)
        .where(
            Subject.type.in_(sorted(_KEYED_BY)),
            ~exists().where(
                Identifier.signal_id == Subject.signal_id,
                Identifier.subject_position == Subject.position,
                Identifier.type.in_(sorted(_KEYED_BY.values())),
            ),
        )
        .order_by(Subject.signal_id, Subject.position)
        .limit(batch)
    )
    done, after = 0, None
    while True:
        query = lacking
        if after is not None:
            query = query.where(tuple_(Subject.signal_id, Subject.position) > after)
        rows = session.execute(query).all()
        if not rows:
            return done
        after = (rows[-1][0], rows[-1][1])
        fresh: list[dict[str, Any]] = []
        places = []
        for signal_id, position, _, key_id, payload in rows:
            plain = keys.open(Sealed(key_id, payload), context=_context("subject", signal_id))
            try:
                subject = _SUBJECT.validate_json(plain)
            except ValidationError:
                # It no longer validates (a library's rules moved): it keeps the keys it has.
                continue
            places.append((signal_id, position))
            fresh += _identifier_rows(keys, signal_id, position, subject)
        if places:
            session.execute(
                delete(Identifier).where(
                    tuple_(Identifier.signal_id, Identifier.subject_position).in_(places)
                )
            )
            insert_rows(session, Identifier, fresh)
            done += len(places)
        session.flush()


def _signal_row(
    keys: DataKeys,
    caller: Caller,
    signal_id: uuid.UUID,
    data: SignalCreate,
    at: datetime,
    binding_id: int | None,
) -> dict[str, Any]:
    sealed = _seal_summary(keys, signal_id, data.summary)
    return {
        "id": signal_id,
        "agency_id": caller.agency_id,
        "external_ref": data.external_ref,
        "status": "active",
        "version": 1,
        "observed_at": data.observed_at,
        "municipality": data.municipality,
        "region": region_of(data.municipality),
        "binding_id": binding_id,
        "reliability": data.reliability,
        "credibility": data.credibility,
        "summary_key_id": sealed.key_id if sealed else None,
        "summary": sealed.blob if sealed else None,
        "created_at": at,
        "updated_at": at,
        "created_by": caller.client_id,
        "updated_by": caller.client_id,
    }


def _store_parts_and_audit(
    session: Session,
    keys: DataKeys,
    caller: Caller,
    items: list[tuple[uuid.UUID, SignalCreate]],
) -> None:
    parts = _parts_rows(
        session,
        keys,
        [
            (signal_id, _ordered(data.barriers), data.indicators, data.subjects)
            for signal_id, data in items
        ],
    )
    # The parts go in with the events' statement: one round trip for a single post.
    audit.record(
        session,
        caller,
        "signal.created",
        object_type="signal",
        objects=[(str(signal_id), {"version": 1}) for signal_id, _ in items],
        together=parts,
    )


def insert_signals(
    session: Session,
    keys: DataKeys,
    caller: Caller,
    items: list[tuple[uuid.UUID, SignalCreate]],
    bindings: list[tuple[str, int]],
) -> None:
    """Store new signals; a duplicate external_ref raises IntegrityError."""
    at, binding_id = now(), bind(session, bindings)
    insert_rows(
        session,
        Signal,
        [_signal_row(keys, caller, sid, data, at, binding_id) for sid, data in items],
    )
    _store_parts_and_audit(session, keys, caller, items)


def _new_signal_out(row: dict[str, Any], data: SignalCreate, agency: str) -> SignalOut:
    """The representation of a signal just stored, from memory: no need to read it back."""
    return SignalOut.model_construct(
        id=row["id"],
        external_ref=row["external_ref"],
        agency=agency,
        status="active",
        version=1,
        barriers=_ordered(data.barriers),
        indicators=sorted(data.indicators),
        observed_at=row["observed_at"],
        municipality=row["municipality"],
        region=row["region"],
        summary=data.summary,
        reliability=row["reliability"],
        credibility=row["credibility"],
        subjects=[s.model_dump(mode="json", exclude_none=True) for s in data.subjects],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        retracted_at=None,
        disclosure=OWN_DISCLOSURE,
    )


def _ordered(barriers: Iterable[str]) -> list[str]:
    return sorted(barriers, key=_BARRIER_RANK.__getitem__)


def request_hash(document: Any) -> str:
    """A digest of the body's meaning, so whitespace or key order do not make a new request."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def create_signal(
    session: Session,
    keys: DataKeys,
    caller: Caller,
    data: SignalCreate,
    *,
    idempotency_key: str | None,
    body_hash: str,
    bindings: list[tuple[str, int]],
) -> tuple[SignalOut, bool]:
    """Post one signal; with an Idempotency-Key a retry returns the first result (replayed=True)."""
    if idempotency_key is not None:
        record = repository.idempotency_record(session, caller.agency_id, idempotency_key)
        if record is not None:
            if record.request_hash != body_hash:
                raise Conflict("This Idempotency-Key was already used with a different body.")
            signal = repository.own_signal(session, caller.agency_id, record.signal_id)
            if signal is None:  # purged since; the key cannot be honoured any more
                raise Conflict("The signal first created with this Idempotency-Key is gone.")
            return represent(session, keys, [signal])[0], True
    signal_id = uuid.uuid4()
    try:
        if idempotency_key is not None:
            # Claimed first: a concurrent retry with the same key waits on this row, then fails.
            session.add(
                IdempotencyRecord(
                    agency_id=caller.agency_id,
                    key=idempotency_key,
                    request_hash=body_hash,
                    signal_id=signal_id,
                    status_code=201,
                )
            )
            session.flush()
    except IntegrityError:
        raise Conflict(
            "A request with this Idempotency-Key is being processed; retry to receive its result."
        ) from None
    row = _signal_row(keys, caller, signal_id, data, now(), bind(session, bindings))
    if not insert_unless_exists(session, Signal, row, unique=("agency_id", "external_ref")):
        existing = repository.by_external_refs(session, caller.agency_id, [data.external_ref])
        raise _duplicate(data.external_ref, existing.get(data.external_ref))
    _store_parts_and_audit(session, keys, caller, [(signal_id, data)])
    return _new_signal_out(row, data, caller.agency_code), False


def _duplicate(external_ref: str, signal_id: uuid.UUID | None) -> Conflict:
    if signal_id is None:  # the other writer's row is not visible to us (yet)
        return Conflict(f"Your agency already posted a signal with external_ref {external_ref!r}.")
    return Conflict(
        f"Your agency already posted a signal with external_ref {external_ref!r}: {signal_id}. "
        "Correct it with PATCH instead.",
        headers={"Location": f"/api/v1/signals/{signal_id}"},
    )


@dataclass
class BatchOutcome:
    index: int
    status: str
    id: uuid.UUID | None = None
    problem: dict[str, Any] | None = None


def create_batch(
    session: Session,
    keys: DataKeys,
    caller: Caller,
    items: list[SignalCreate | InvalidInput],
    *,
    bindings: list[tuple[str, int]],
) -> list[BatchOutcome]:
    """Store the valid, new items; each item is all-or-nothing and reported on its own."""
    outcomes: list[BatchOutcome] = []
    fresh: list[tuple[int, SignalCreate]] = []
    refs = [i.external_ref for i in items if isinstance(i, SignalCreate)]
    known = repository.by_external_refs(session, caller.agency_id, refs)
    for index, item in enumerate(items):
        if isinstance(item, InvalidInput):
            outcomes.append(BatchOutcome(index, "invalid", problem=item.problem()))
        elif item.external_ref in known:
            outcomes.append(BatchOutcome(index, "duplicate", id=known[item.external_ref]))
        else:
            known[item.external_ref] = uuid.uuid4()
            fresh.append((index, item))
            outcomes.append(BatchOutcome(index, "created", id=known[item.external_ref]))
    if not fresh:
        return outcomes
    pending = [(outcomes[i].id, data) for i, data in fresh]
    try:
        with session.begin_nested():
            insert_signals(session, keys, caller, pending, bindings)  # type: ignore[arg-type]
    except IntegrityError:
        # Another request stored some of these meanwhile: fall back to one savepoint per item.
        for (index, data), (signal_id, _) in zip(fresh, pending, strict=True):
            try:
                with session.begin_nested():
                    insert_signals(session, keys, caller, [(signal_id, data)], bindings)  # type: ignore[list-item]
            except IntegrityError:
                again = repository.by_external_refs(session, caller.agency_id, [data.external_ref])
                outcomes[index] = BatchOutcome(index, "duplicate", id=again.get(data.external_ref))
    return outcomes


def own_or_404(session: Session, caller: Caller, signal_id: uuid.UUID) -> Signal:
    signal = repository.own_signal(session, caller.agency_id, signal_id)
    if signal is None:
        raise NotFound(f"There is no signal {signal_id} that you may see.")
    return signal


def _locked_own(
    session: Session, caller: Caller, signal_id: uuid.UUID, if_match: str | None
) -> Signal:
    signal = repository.own_signal_for_update(session, caller.agency_id, signal_id)
    if signal is None:
        raise NotFound(f"There is no signal {signal_id} that you may see.")
    if if_match is not None and if_match.strip() not in ("*", etag(signal)):
        raise PreconditionFailed(
            f"The signal is at version {signal.version}; your If-Match does not match it."
        )
    return signal


def _keep_version(
    session: Session,
    keys: DataKeys,
    caller: Caller,
    signal: Signal,
    before: SignalOut,
    change: str,
) -> None:
    """Keep the state before a change, sealed, so every version can be reconstructed."""
    sealed = keys.seal(before.model_dump_json().encode(), context=_context("version", signal.id))
    session.add(
        SignalVersion(
            signal_id=signal.id,
            version=signal.version,
            change=change,
            changed_by=caller.client_id,
            key_id=sealed.key_id,
            snapshot=sealed.blob,
        )
    )


def update_signal(
    session: Session,
    keys: DataKeys,
    caller: Caller,
    signal_id: uuid.UUID,
    update: SignalUpdate,
    *,
    if_match: str | None,
    vocabulary: Any,
) -> Signal:
    """Apply a correction by the source agency: a new version, the old one kept in history."""
    signal = _locked_own(session, caller, signal_id, if_match)
    if signal.status == "retracted":
        raise Conflict("A retracted signal cannot be corrected.")
    given = update.model_fields_set
    [before] = represent(session, keys, [signal])
    barriers = update.barriers if "barriers" in given else before.barriers
    indicators = update.indicators if "indicators" in given else before.indicators
    stray = [
        i for i, code in enumerate(indicators) if vocabulary.indicator(code).barrier not in barriers
    ]
    if stray:
        if "indicators" in given:
            errors = [
                {
                    "pointer": f"/indicators/{i}",
                    "detail": f"indicator {indicators[i]!r} belongs to a barrier the signal "
                    "does not name",
                }
                for i in stray
            ]
        else:
            errors = [
                {"pointer": "/barriers", "detail": f"indicator {indicators[i]!r} needs its barrier"}
                for i in stray
            ]
        raise InvalidInput("Indicators must belong to the signal's barriers.", errors=errors)
    _keep_version(session, keys, caller, signal, before, "updated")
    for name in ("observed_at", "municipality", "reliability", "credibility"):
        if name in given:
            setattr(signal, name, getattr(update, name))
    if "municipality" in given:
        signal.region = region_of(update.municipality)
    if "summary" in given:
        sealed = _seal_summary(keys, signal.id, update.summary)
        signal.summary_key_id = sealed.key_id if sealed else None
        signal.summary = sealed.blob if sealed else None
    replace = {k: k in given for k in ("barriers", "indicators", "subjects")}
    if replace["subjects"]:
        ldv.erasing(session, [signal.id])  # the correction's record names old and new subjects
    repository.delete_parts(session, signal.id, **replace)
    _insert_parts(
        session,
        keys,
        [
            (
                signal.id,
                _ordered(barriers) if replace["barriers"] else [],  # type: ignore[arg-type]
                list(indicators or []) if replace["indicators"] else [],
                update.subjects or [] if replace["subjects"] else None,
            )
        ],
    )
    _bump(session, signal, caller)
    audit.record(
        session,
        caller,
        "signal.updated",
        object_type="signal",
        objects=[(str(signal.id), {"version": signal.version, "fields": sorted(given)})],
    )
    return signal


def retract_signal(
    session: Session,
    keys: DataKeys,
    caller: Caller,
    signal_id: uuid.UUID,
    reason: str,
    *,
    if_match: str | None,
) -> Signal:
    """Withdraw a signal; retrying a retraction changes nothing."""
    signal = _locked_own(session, caller, signal_id, if_match)
    if signal.status == "retracted":
        return signal
    [before] = represent(session, keys, [signal])
    _keep_version(session, keys, caller, signal, before, "retracted")
    signal.status = "retracted"
    signal.retracted_at = now()
    _bump(session, signal, caller)
    audit.record(
        session,
        caller,
        "signal.retracted",
        object_type="signal",
        objects=[(str(signal.id), {"version": signal.version, "reason": reason})],
    )
    return signal


def _bump(session: Session, signal: Signal, caller: Caller) -> None:
    signal.version += 1
    signal.updated_at = now()
    signal.updated_by = caller.client_id
    session.flush()


def etag(signal: Signal) -> str:
    return f'"{signal.version}"'


def represent(
    session: Session,
    keys: DataKeys,
    signals: list[Signal],
    *,
    parts: repository.SignalParts | None = None,
    sealed: frozenset[uuid.UUID] = frozenset(),
    bare: bool = False,
) -> list[SignalOut]:
    """Full representations (decrypted), for readers entitled to see everything; pass `parts`
    when they were read already. Subjects of `sealed` signals stay encrypted: only their type.
    `bare`: no summary and no subjects at all, nothing decrypted (for facts about signals)."""
    if not signals:
        return []
    parts = parts or repository.parts_of(session, signals, subjects=not bare)
    out = []
    for s in signals:
        summary = None
        if not bare and s.summary is not None and s.summary_key_id is not None:
            summary = keys.open(
                Sealed(s.summary_key_id, s.summary), context=_context("summary", s.id)
            ).decode()
        subjects = [
            {"type": sub.type}
            if s.id in sealed
            else json.loads(
                keys.open(Sealed(sub.key_id, sub.payload), context=_context("subject", s.id))
            )
            for sub in ([] if bare else parts.subjects.get(s.id, []))
        ]
        out.append(
            SignalOut.model_construct(
                id=s.id,
                external_ref=s.external_ref,
                agency=parts.agency_codes[s.agency_id],
                status=s.status,
                version=s.version,
                barriers=_ordered(parts.barriers.get(s.id, [])),
                indicators=parts.indicators.get(s.id, []),
                observed_at=s.observed_at,
                municipality=s.municipality,
                region=s.region,
                summary=summary,
                reliability=s.reliability,
                credibility=s.credibility,
                subjects=subjects,
                created_at=s.created_at,
                updated_at=s.updated_at,
                retracted_at=s.retracted_at,
                disclosure=OWN_DISCLOSURE,
            )
        )
    return out
