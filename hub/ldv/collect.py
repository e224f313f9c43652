"""Turning audit events into processing-log records, held per database session until it ends.

Every processing of personal data is audited (`hub.audit.service`); each audit event becomes
one span here, with one child span per data subject (LDV 1.0, "Component: Applicatie"). The
spans start when the event is recorded and end when the session's transaction does: committed,
they end with status OK; rolled back (the whole transaction, or the savepoint the event was
recorded in), with status ERROR. Nothing is exported before then, so a record is never written
for a processing that is still undecided, and an attempt that was undone is still on record.

The spans are made whole when the transaction ends (`ReadableSpan`s, with the ids the SDK's
tracer would give them) and handed over together: a 1,000-signal batch has some 2,000 records,
and starting and ending each through the SDK's tracer cost a third of the batch's time.
"""

import atexit
import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceFlags
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from hub import __version__
from hub.ldv import subjects
from hub.ldv.export import FOREIGN_ENTITY, RecordOutput, ReservableIds, output_for
from hub.ldv.register import (
    REGISTER_FILE,
    Register,
    RegisterInvalid,
    load_register,
    purposes_in_force,
)

log = logging.getLogger(__name__)

ACTIVITY = "dpl.core.processing_activity_id"
SUBJECT_ID = "dpl.core.data_subject_id"
SUBJECT_ID_TYPE = "dpl.core.data_subject_id_type"
# The hub's own attributes, in an extension namespace: which kind of processing, and the audit
# event it is (LDV keeps users out of the log; the audit trail says who, under the same event).
KIND = "dpl.barrier_hub.kind"
AUDIT_SEQ = "dpl.barrier_hub.audit_seq"
_INFO = "ldv"
_OPEN = "ldv_open"
_NOTED = "ldv_noted"
_COMMITTED = "ldv_committed"


# LDV allows no sampling: every record is sampled.
SAMPLED = TraceFlags(TraceFlags.SAMPLED)
_SCOPE = InstrumentationScope("hub.ldv")
_OK = Status(StatusCode.OK)
_FAILED = Status(StatusCode.ERROR, "rolled back")


@dataclass
class _Open:
    """A record begun, and one per data subject under it; they are made into spans when the
    transaction ends, with its outcome."""

    name: str
    context: SpanContext
    parent: SpanContext | None
    links: tuple[Link, ...]
    attributes: dict[str, Any]
    started: int  # ns since the epoch
    children: list[tuple[SpanContext, dict[str, Any]]]
    transaction: SessionTransaction | None
    failed: bool = False


@dataclass
class Logbook:
    """One hub process's processing log: its register, its output and the pseudonym key."""

    register: Register
    output: RecordOutput
    ids: ReservableIds
    subject_key: bytes
    in_force: frozenset[tuple[str, int]]
    entity_base: str
    resource: Resource = field(
        default_factory=lambda: Resource.create(
            {"service.name": "barrier-hub", "service.version": __version__}
        )
    )

    def shutdown(self) -> None:
        self.output.shutdown()


def attach(
    sessions: sessionmaker[Session],
    *,
    setting: str,
    data_dir: Any,
    covenants_dir: Any,
    covenants: Iterable[Any],
    subject_key: bytes,
    issuer: str,
) -> Logbook | None:
    """Make every session of `sessions` write the processing log; None when it is off.

    Refuses (RegisterInvalid) a register that lacks an activity for a purpose in force."""
    if setting == "off":
        return None
    register = load_register(covenants_dir / REGISTER_FILE)
    in_force = purposes_in_force(covenants, date.today())
    missing = register.missing(in_force)
    if missing:
        raise RegisterInvalid("the processing register has no activity for: " + "; ".join(missing))
    output = output_for(setting, data_dir)
    assert output is not None
    book = Logbook(
        register,
        output,
        ReservableIds(),
        subject_key,
        frozenset((c.id, c.version) for c in in_force),
        f"{issuer}/agencies",
    )
    # Records still queued for a collector go out when a CLI command exits, too.
    atexit.register(book.shutdown)
    sessions.configure(info={_INFO: book})
    event.listen(sessions, "after_commit", _committed)
    event.listen(sessions, "after_soft_rollback", _rolled_back)
    event.listen(sessions, "after_transaction_end", _ended)
    return book


def attach_for(
    sessions: sessionmaker[Session],
    settings: Any,
    *,
    keys: Any = None,
    covenants: Iterable[Any] | None = None,
) -> Logbook | None:
    """`attach` with what the settings name: the export, data folder, covenants and keys."""
    if settings.ldv_export == "off":
        return None
    from hub.covenants.loader import load_covenants
    from hub.kit.crypto import DataKeys

    keys = keys or DataKeys.load_or_create(settings.data_dir)
    return attach(
        sessions,
        setting=settings.ldv_export,
        data_dir=settings.data_dir,
        covenants_dir=settings.covenants_dir,
        covenants=covenants if covenants is not None else load_covenants(settings.covenants_dir),
        subject_key=keys.ldv_subject_key,
        issuer=settings.issuer,
    )


# --- what the rest of the hub calls ------------------------------------------------------------


def audited(session: Session, rows: list[dict[str, Any]]) -> None:
    """Open a record for each audit event just appended (hub.audit.service calls this)."""
    book: Logbook | None = session.info.get(_INFO)
    if book is None:
        return
    mapped = [(row, book.register.mapping(row["action"])) for row in rows]
    mapped = [(row, m) for row, m in mapped if m is None or m.kind != "none"]
    if not mapped:
        return
    signals_of = {id(row): _signals_of(session, row) for row, _ in mapped}
    wanted = {s for ids in signals_of.values() for s in ids}
    # Those held now (as this transaction wrote them, else read), and those of signals that
    # lost their subjects in this transaction.
    written = session.info.get(_NOTED, {}).get("written", {})
    unread = {s for s in wanted if s not in written}
    by_signal = subjects.by_signal(session, book.subject_key, unread) if unread else {}
    by_signal |= {s: written[s] for s in wanted if s in written}
    for signal_id, noted in _noted(session, wanted).items():
        by_signal[signal_id] = sorted(set(by_signal.get(signal_id, ())) | set(noted))
    lookups = session.info.get(_NOTED, {}).get("lookups", {})
    for row, mapping in mapped:
        found = {s for sid in signals_of[id(row)] for s in by_signal.get(sid, ())}
        if row["object_type"] == "lookup":
            found |= set(lookups.pop(row["object_id"], ()))
        _open(session, book, row, mapping.kind if mapping else "unregistered", sorted(found))


def processed(
    session: Session,
    action: str,
    *,
    signal_ids: Iterable[Any] = (),
    purpose: str | None = None,
    object_type: str = "signal-batch",
    object_id: str | None = None,
) -> None:
    """Open a record for a processing the audit trail does not hold (the linker's, a webhook
    attempt that will be retried): of these signals, or of the object's (as for an event)."""
    book: Logbook | None = session.info.get(_INFO)
    if book is None:
        return
    row = {
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "purpose": purpose,
        "agency": None,
        "seq": None,
        "detail": {},
        "covenant_id": None,
        "covenant_version": None,
    }
    ids = {str(i) for i in signal_ids} | set(_signals_of(session, row))
    found = subjects.by_signal(session, book.subject_key, ids) if ids else {}
    mapping = book.register.mapping(action)
    people = sorted({s for values in found.values() for s in values})
    _open(session, book, row, mapping.kind if mapping else "unregistered", people)


def wrote_subjects(
    session: Session,
    signal_id: Any,
    written: Iterable[tuple[int, str, Iterable[tuple[str, str]]]],
) -> None:
    """The subjects a signal holds from now on, as this transaction just wrote them: per
    subject its position, type and (blind-index type, token)s. The records of this transaction
    name them from here, without reading back what was just written."""
    book: Logbook | None = session.info.get(_INFO)
    if book is None:
        return
    key = str(signal_id)
    people = {
        subjects.of_subject(book.subject_key, key, position, tokens)
        for position, kind, tokens in written
        if kind in subjects.PERSON_TYPES
    }
    session.info.setdefault(_NOTED, {}).setdefault("written", {})[key] = sorted(people)


def erasing(session: Session, signal_ids: Iterable[Any]) -> None:
    """Remember the data subjects of signals about to lose their subjects (a purge, a
    correction that replaces them), so the record of that processing can still name them."""
    book: Logbook | None = session.info.get(_INFO)
    if book is None:
        return
    ids = {str(i) for i in signal_ids}
    info = session.info.setdefault(_NOTED, {})
    noted = info.setdefault("signals", {})
    for signal_id, found in subjects.by_signal(session, book.subject_key, ids).items():
        noted[signal_id] = sorted(set(noted.get(signal_id, ())) | set(found))
    # What they held is read from the database again once they change.
    for signal_id in ids:
        info.get("written", {}).pop(signal_id, None)


def looked_up(
    session: Session, lookup_id: str, identifiers: Iterable[Iterable[tuple[str, str]]]
) -> None:
    """The data subjects a lookup asked about: per identifier, its (blind-index type, token)s."""
    book: Logbook | None = session.info.get(_INFO)
    if book is None:
        return
    lookups = session.info.setdefault(_NOTED, {}).setdefault("lookups", {})
    found = (subjects.strongest(book.subject_key, keys) for keys in identifiers)
    lookups[lookup_id] = sorted({person for person in found if person is not None})


def outgoing(sessions: sessionmaker[Session]) -> tuple[dict[str, str], Any]:
    """Headers with a W3C traceparent for a call to a partner, and a token that makes the record
    of that call (see `as_sent`) carry the same trace and span id."""
    book: Logbook | None = sessions.kw.get("info", {}).get(_INFO)
    if book is None:
        return {}, None
    trace_id, span_id = book.ids.generate_trace_id(), book.ids.generate_span_id()
    sent = SpanContext(trace_id, span_id, is_remote=False, trace_flags=TraceFlags(1))
    headers: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(
        headers, context=trace.set_span_in_context(trace.NonRecordingSpan(sent))
    )
    return headers, (trace_id, span_id)


@contextmanager
def as_sent(session: Session, sent: Any) -> Iterator[None]:
    """Within: the next record opened uses the ids a call went out with (`outgoing`)."""
    book: Logbook | None = session.info.get(_INFO)
    if book is None or sent is None:
        yield
        return
    token = otel_context.attach(otel_context.Context())  # a root span: no parent to inherit
    book.ids.reserve(*sent)
    try:
        yield
    finally:
        book.ids.clear()
        otel_context.detach(token)


# --- the records -------------------------------------------------------------------------------


def _signals_of(session: Session, row: Mapping[str, Any]) -> list[str]:
    """The signals whose data subjects one audit event processed."""
    kind, object_id, detail = row["object_type"], row["object_id"], row.get("detail") or {}
    if kind == "signal":
        return [object_id]
    if kind == "signal-batch":
        return [str(i) for i in detail.get("signal_ids", ())]
    if kind == "proposal":
        return subjects.members(session, [object_id])
    if kind == "disclosure-request" and detail.get("proposal"):
        return subjects.members(session, [detail["proposal"]])
    if kind == "digest":
        return subjects.digest_signals(session, [object_id])
    return []


def _noted(session: Session, wanted: set[str]) -> dict[str, list[subjects.DataSubject]]:
    noted = session.info.get(_NOTED, {}).get("signals", {})
    return {s: noted[s] for s in wanted if s in noted}


def _covenant(row: Mapping[str, Any]) -> tuple[str, int] | None:
    if row.get("covenant_id") and row.get("covenant_version") is not None:
        return row["covenant_id"], int(row["covenant_version"])
    rule = (row.get("detail") or {}).get("reviewing_rule")
    if isinstance(rule, dict) and rule.get("covenant_id"):
        return rule["covenant_id"], int(rule["covenant_version"])
    return None


def _open(
    session: Session,
    book: Logbook,
    row: Mapping[str, Any],
    kind: str,
    people: list[subjects.DataSubject],
) -> None:
    register = book.register
    activity = register.activity_for(
        row["action"], purpose=row["purpose"], covenant=_covenant(row), in_force=book.in_force
    )
    if activity is None:
        # Never silent: tests/ldv/test_register.py keeps every audited action registered.
        log.warning("no processing activity registered for audit action %s", row["action"])
    attributes: dict[str, Any] = {
        ACTIVITY: activity.uri if activity else f"{register.uri}/unregistered",
        KIND: kind,
    }
    if row.get("seq") is not None:
        attributes[AUDIT_SEQ] = int(row["seq"])
    caller = trace.get_current_span().get_span_context()
    links: tuple[Link, ...] = ()
    if caller.is_valid and caller.is_remote and row.get("agency"):
        # A partner's traceparent: the record joins its trace (LDV: keep the trace_id, take its
        # span as parent) and names it as the foreign operation, with the partner as entity.
        links = (Link(caller, {FOREIGN_ENTITY: f"{book.entity_base}/{row['agency']}"}),)
    # As the SDK's tracer makes ids: the trace of the current span, else a new one (or the one
    # reserved by `as_sent`), and a span id each.
    parent = caller if caller.is_valid else None
    trace_id = parent.trace_id if parent is not None else book.ids.generate_trace_id()
    state = parent.trace_state if parent is not None else None
    context = SpanContext(trace_id, book.ids.generate_span_id(), False, SAMPLED, state)
    children = [
        (
            SpanContext(trace_id, book.ids.generate_span_id(), False, SAMPLED, state),
            {
                ACTIVITY: attributes[ACTIVITY],
                KIND: kind,
                SUBJECT_ID: person.pseudonym,
                SUBJECT_ID_TYPE: register.subject_id_type(person.id_kind),
            },
        )
        for person in people
    ]
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_OPEN, []).append(
        _Open(
            row["action"],
            context,
            parent,
            links,
            attributes,
            time.time_ns(),
            children,
            transaction,
        )
    )


def _committed(session: Session) -> None:
    """The outermost transaction committed (SQLAlchemy says so for that one only)."""
    if session.info.get(_OPEN):
        session.info[_COMMITTED] = True


def _rolled_back(session: Session, previous: SessionTransaction) -> None:
    """A savepoint rolled back: what was recorded inside it failed. (The outermost
    transaction's rollback is told by its end without a commit, see `_ended`.)"""
    if not previous.nested:
        return
    for item in session.info.get(_OPEN, ()):
        if _within(item.transaction, previous):
            item.failed = True


def _within(inner: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while inner is not None:
        if inner is outer:
            return True
        inner = inner.parent
    return False


def _ended(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended: export what it did, OK or ERROR."""
    if transaction.parent is not None or transaction.nested:
        return
    opened = session.info.pop(_OPEN, None)
    committed = session.info.pop(_COMMITTED, False)
    session.info.pop(_NOTED, None)
    if not opened:
        return
    book: Logbook = session.info[_INFO]
    ended = time.time_ns()
    records = []
    for item in opened:
        status = _FAILED if item.failed or not committed else _OK
        records += [
            _span(book, item, context, item.context, attributes, (), status, ended)
            for context, attributes in item.children
        ]
        records.append(
            _span(book, item, item.context, item.parent, item.attributes, item.links, status, ended)
        )
    # One hand-over per transaction: for the file, one write of all its records.
    book.output.write(records)


def _span(
    book: Logbook,
    item: _Open,
    context: SpanContext,
    parent: SpanContext | None,
    attributes: dict[str, Any],
    links: tuple[Link, ...],
    status: Status,
    ended: int,
) -> ReadableSpan:
    return ReadableSpan(
        item.name,
        context,
        parent,
        book.resource,
        attributes,
        links=links,
        kind=SpanKind.INTERNAL,
        status=status,
        start_time=item.started,
        end_time=ended,
        instrumentation_scope=_SCOPE,
    )
