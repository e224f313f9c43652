"""The contact point's work on a data subject's request: find the person through the blind
index, then give access, route corrections, erase or restrict, or refuse on a ground.

Every step is audited with the request's id, on the request and on each signal it touched
(under the signal's source, so each source reads it in its own trail); never a name, number or
token. Services flush, never commit.
"""

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import delete
from sqlalchemy.orm import Session

from hub.audit import service as audit
from hub.auth.caller import Caller
from hub.db import now
from hub.digests.build import fingerprint, render
from hub.errors import Conflict, InvalidInput, NotFound
from hub.kit.crypto import DataKeys, Sealed
from hub.kit.i18n import N_
from hub.ldv import collect as ldv
from hub.linking.service import Linker
from hub.signals.models import IdempotencyRecord, Identifier, Signal, Subject
from hub.signals.service import represent
from hub.signals.subjects import (
    BLOCKING_TYPES,
    DocumentSubject,
    PersonSubject,
    identifier_keys,
)
from hub.signals.subjects import Subject as SubjectModel
from hub.subjects import repository
from hub.subjects.models import SignalRestriction, SubjectCorrection, SubjectRequest
from hub.subjects.schemas import CompletionIn, RefusalIn, SubjectRequestCreate

DOCUMENT_KINDS: tuple[str, ...] = get_args(DocumentSubject.model_fields["kind"].annotation)
EXPORT_VERSION = 1
SUMMARY_NOTE = (
    "A person was erased from this signal at the contact point's request. Check that its "
    "summary no longer names them, and correct it if it does."
)
_SUBJECT = TypeAdapter(SubjectModel)


@dataclass(frozen=True)
class Desk:
    """What the contact point acts with: who, the data keys, and the linker (to re-link)."""

    caller: Caller
    keys: DataKeys
    linker: Linker | None


def tokens_for(
    keys: DataKeys, identifiers: Iterable[PersonSubject | DocumentSubject]
) -> list[list[str]]:
    """The (type, token) pairs a signal holding this person carries: the same keys, made the
    same way, as hub.signals.service stores. A document is searched under every kind."""
    found: set[tuple[str, str]] = set()
    for subject in identifiers:
        variants: list[Any] = [subject]
        if isinstance(subject, DocumentSubject):
            variants = [subject.model_copy(update={"kind": kind}) for kind in DOCUMENT_KINDS]
        for variant in variants:
            for key in identifier_keys(variant):
                found.add((key.type, keys.blind_index(key.type, key.value)))
    return [list(pair) for pair in sorted(found)]


def _context(request_id: uuid.UUID, what: bytes = b"notes") -> bytes:
    return b"subject-request:" + what + b":" + request_id.bytes


def _found(held: repository.Holdings) -> dict[str, Any]:
    return {
        "signals": [str(i) for i in held.signal_ids],
        "proposals": [str(p.id) for p, _ in held.proposals],
        "cases": sorted(p.case_number for p, _ in held.proposals if p.case_number),
    }


def _audit_signals(
    session: Session,
    caller: Caller,
    action: str,
    owners: dict[uuid.UUID, str],
    detail: dict[str, Any],
) -> None:
    """One event per signal, under its source, so each source reads it in its own trail."""
    by_owner: dict[str, list[tuple[str, dict[str, Any] | None]]] = defaultdict(list)
    for signal_id, owner in sorted(owners.items(), key=lambda kv: str(kv[0])):
        by_owner[owner].append((str(signal_id), detail))
    for owner, objects in sorted(by_owner.items()):
        audit.record(session, caller, action, object_type="signal", objects=objects, owner=owner)


def _audit_request(
    session: Session, caller: Caller, action: str, request: SubjectRequest, detail: dict[str, Any]
) -> None:
    audit.record(
        session,
        caller,
        action,
        object_type="subject-request",
        objects=[(str(request.id), {"kind": request.kind, **detail})],
    )


def open_request(session: Session, desk: Desk, data: SubjectRequestCreate) -> SubjectRequest:
    """Open a request and find the person: only the tokens of what was searched are kept."""
    tokens = tokens_for(desk.keys, data.identifiers)
    held = repository.holdings(session, [(t[0], t[1]) for t in tokens])
    request = SubjectRequest(
        id=uuid.uuid4(),
        kind=data.kind,
        status="open",
        agency=desk.caller.agency_code,
        opened_by=desk.caller.client_id,
        opened_at=now(),
        tokens=tokens,
        found=_found(held),
    )
    if data.notes is not None:
        sealed = desk.keys.seal(data.notes.encode(), context=_context(request.id))
        request.notes_key_id, request.notes = sealed.key_id, sealed.blob
    session.add(request)
    session.flush()
    counts = {
        "identifiers": len(data.identifiers),
        "signals": len(held.subjects),
        "proposals": len(held.proposals),
    }
    _audit_request(session, desk.caller, "subject-request.opened", request, counts)
    _audit_signals(
        session,
        desk.caller,
        "signal.subject-found",
        held.agencies,
        {"request": str(request.id)},
    )
    return request


def get(session: Session, request_id: uuid.UUID, *, lock: bool = False) -> SubjectRequest:
    request = repository.request_by_id(session, request_id, lock=lock)
    if request is None:
        raise NotFound(N_("There is no subject request {id}."), params={"id": request_id})
    return request


def notes_of(keys: DataKeys, request: SubjectRequest) -> str | None:
    if request.notes is None or request.notes_key_id is None:
        return None
    return keys.open(
        Sealed(request.notes_key_id, request.notes), context=_context(request.id)
    ).decode()


def holdings_of(session: Session, request: SubjectRequest) -> repository.Holdings:
    """Where the person is held now (nothing once erased: the request keeps no tokens)."""
    return repository.holdings(session, [(t[0], t[1]) for t in request.tokens])


def view(session: Session, keys: DataKeys, request: SubjectRequest) -> dict[str, Any]:
    """The request as the contact point sees it, with what holds the person now."""
    held = holdings_of(session, request)
    return {
        "id": request.id,
        "kind": request.kind,
        "status": request.status,
        "agency": request.agency,
        "opened_by": request.opened_by,
        "opened_at": request.opened_at,
        "notes": notes_of(keys, request),
        "ground": request.ground,
        "decided_at": request.decided_at,
        "decided_by": request.decided_by,
        "outcome": request.outcome,
        "lifted_at": request.lifted_at,
        "signals": [
            {
                "id": signal_id,
                "agency": held.agencies.get(signal_id, ""),
                "subject_positions": sorted(held.subjects[signal_id]),
                "restricted": signal_id in held.restricted,
            }
            for signal_id in held.signal_ids
        ],
        "proposals": [
            {
                "id": proposal.id,
                "status": proposal.status,
                "case_number": proposal.case_number,
                "members": members,
            }
            for proposal, members in held.proposals
        ],
    }


def export(session: Session, desk: Desk, request_id: uuid.UUID) -> dict[str, Any]:
    """What the hub holds of the person and who received it (AVG art. 15), for an access
    request. Only the person's own subjects are decrypted: other subjects and the summary may
    be about others (AVG art. 15(4)); the export says where a summary exists."""
    request = get(session, request_id)
    if request.kind != "access":
        raise Conflict(N_("Only an access request is exported; this one is not an access request."))
    if request.status not in ("open", "done"):
        raise Conflict(
            N_("This request is {status}: nothing is exported."), params={"status": request.status}
        )
    held = holdings_of(session, request)
    signals = repository.signals(session, held.signal_ids)
    shown = represent(session, desk.keys, signals)
    recipients = repository.recipients(session, held.signal_ids)
    document = {
        "export_version": EXPORT_VERSION,
        "request_id": str(request.id),
        "exported_at": now().isoformat(),
        "exported_by": {"agency": desk.caller.agency_code, "actor": desk.caller.client_id},
        "signals": [
            {
                "id": str(out.id),
                "agency": out.agency,
                "status": out.status,
                "observed_at": out.observed_at.isoformat(),
                "municipality": out.municipality,
                "barriers": out.barriers,
                "indicators": out.indicators,
                "created_at": out.created_at.isoformat(),
                "updated_at": out.updated_at.isoformat(),
                "subjects": [
                    subject
                    for position, subject in enumerate(out.subjects)
                    if position in held.subjects[out.id]
                ],
                "other_subjects": len(out.subjects) - len(held.subjects[out.id]),
                "has_summary": out.summary is not None,
                "restricted": out.id in held.restricted,
            }
            for out in shown
        ],
        "proposals": [
            {
                "id": str(p.id),
                "status": p.status,
                "case_number": p.case_number,
                "accepted_by": p.accepted_by,
                "members": [str(m) for m in members],
            }
            for p, members in held.proposals
        ],
        "recipients": [
            {
                "signal_id": r.signal_id,
                "agency": r.agency,
                "how": r.how,
                "at": r.at.isoformat() if r.at else None,
                "level": r.level,
                "purpose": r.purpose,
                "covenant": r.covenant,
            }
            for r in recipients
        ],
    }
    counts = {"signals": len(signals), "recipients": len({r.agency for r in recipients})}
    _audit_request(session, desk.caller, "subject-request.exported", request, counts)
    _audit_signals(
        session, desk.caller, "signal.subject-exported", held.agencies, {"request": str(request.id)}
    )
    return document


def complete(
    session: Session, desk: Desk, request_id: uuid.UUID, data: CompletionIn
) -> SubjectRequest:
    """Carry the request out, once: access, rectify, erase or restrict (409 unless open)."""
    request = get(session, request_id, lock=True)
    if request.status != "open":
        raise Conflict(
            N_("This request is {status} already; it is carried out once."),
            params={"status": request.status},
        )
    if request.kind == "restrict" and data.ground is None:
        raise InvalidInput(
            N_("A restriction records its ground."),
            errors=[{"pointer": "/ground", "detail": N_("required to restrict")}],
        )
    if request.kind == "rectify" and data.note is None:
        raise InvalidInput(
            N_("Say what each source is to correct."),
            errors=[{"pointer": "/note", "detail": N_("required to rectify")}],
        )
    held = holdings_of(session, request)
    if request.kind == "access":
        recipients = repository.recipients(session, held.signal_ids)
        outcome: dict[str, Any] = {
            "signals": len(held.subjects),
            "recipients": len({r.agency for r in recipients}),
        }
    elif request.kind == "rectify":
        outcome = {"corrections": _route(session, desk, request, held, data.note or "")}
    elif request.kind == "erase":
        outcome = _erase(session, desk, request, held)
    else:
        outcome = _restrict(session, desk, request, held, data.ground or "")
        request.ground = data.ground
    request.status = "done"
    request.decided_at, request.decided_by = now(), desk.caller.client_id
    request.outcome = outcome
    session.flush()
    _audit_request(session, desk.caller, f"subject-request.{request.kind}", request, outcome)
    return request


def refuse(session: Session, desk: Desk, request_id: uuid.UUID, data: RefusalIn) -> SubjectRequest:
    """Refuse the request on its ground (UAVG art. 41(1) or AVG art. 12(5)); 409 unless open."""
    request = get(session, request_id, lock=True)
    if request.status != "open":
        raise Conflict(
            N_("This request is {status} already; it cannot be refused now."),
            params={"status": request.status},
        )
    if data.note is not None:
        notes = "\n\n".join(filter(None, [notes_of(desk.keys, request), f"Refused: {data.note}"]))
        sealed = desk.keys.seal(notes.encode(), context=_context(request.id))
        request.notes_key_id, request.notes = sealed.key_id, sealed.blob
    request.status, request.ground = "refused", data.ground
    request.decided_at, request.decided_by = now(), desk.caller.client_id
    session.flush()
    _audit_request(
        session, desk.caller, "subject-request.refused", request, {"ground": data.ground}
    )
    return request


def lift(session: Session, desk: Desk, request_id: uuid.UUID) -> SubjectRequest:
    """Lift a restriction: its signals link and are shared under the covenants again."""
    request = get(session, request_id, lock=True)
    if request.kind != "restrict" or request.status != "done":
        raise Conflict(N_("Only a restriction in force can be lifted."))
    ids = repository.restrictions_of(session, request.id)
    session.execute(delete(SignalRestriction).where(SignalRestriction.request_id == request.id))
    request.status, request.lifted_at = "lifted", now()
    session.flush()
    if desk.linker is not None:
        desk.linker(session, ids)
    _audit_request(session, desk.caller, "subject-request.lifted", request, {"signals": len(ids)})
    return request


def _seal_note(keys: DataKeys, correction_id: uuid.UUID, note: str) -> Sealed:
    return keys.seal(note.encode(), context=_context(correction_id, b"correction"))


def correction_note(keys: DataKeys, correction: SubjectCorrection) -> str:
    sealed = Sealed(correction.note_key_id, correction.note)
    return keys.open(sealed, context=_context(correction.id, b"correction")).decode()


def _route(
    session: Session,
    desk: Desk,
    request: SubjectRequest,
    held: repository.Holdings,
    note: str,
    *,
    only: set[uuid.UUID] | None = None,
) -> int:
    """A correction for the source of each signal holding the person (of `only`, if given)."""
    signals = repository.signals(session, [i for i in held.signal_ids if only is None or i in only])
    for signal in signals:
        correction_id = uuid.uuid4()
        sealed = _seal_note(desk.keys, correction_id, note)
        session.add(
            SubjectCorrection(
                id=correction_id,
                request_id=request.id,
                signal_id=signal.id,
                source_agency_id=signal.agency_id,
                subject_positions=sorted(held.subjects[signal.id]),
                signal_version=signal.version,
                note_key_id=sealed.key_id,
                note=sealed.blob,
                created_at=now(),
            )
        )
    session.flush()
    owners = {s.id: held.agencies[s.id] for s in signals}
    _audit_signals(
        session, desk.caller, "signal.correction-routed", owners, {"request": str(request.id)}
    )
    return len(signals)


def _restrict(
    session: Session, desk: Desk, request: SubjectRequest, held: repository.Holdings, ground: str
) -> dict[str, Any]:
    at = now()
    for signal_id in held.signal_ids:
        session.add(
            SignalRestriction(
                signal_id=signal_id, request_id=request.id, ground=ground, restricted_at=at
            )
        )
    session.flush()
    relinked = 0
    if desk.linker is not None and held.signal_ids:
        # The restricted signals leave their proposals: the linker now leaves them out.
        result = desk.linker(session, held.signal_ids)
        relinked = result.changed + result.closed
    _audit_signals(
        session,
        desk.caller,
        "signal.restricted",
        held.agencies,
        {"request": str(request.id), "ground": ground},
    )
    return {"signals": len(held.subjects), "proposals_changed": relinked}


def _subject_tokens(keys: DataKeys, payload: dict[str, Any]) -> set[str] | None:
    """The match tokens (no blocking keys) of a stored subject, or None if it no longer
    validates (then it cannot be told apart, and goes)."""
    try:
        subject = _SUBJECT.validate_python(payload)
    except ValidationError:
        return None
    return {keys.blind_index(k.type, k.value) for k in identifier_keys(subject)}


def _scrub_versions(
    session: Session, keys: DataKeys, ids: list[uuid.UUID], erased: set[str]
) -> None:
    """Take the person out of the kept versions of these signals (a version that cannot be
    read back subject by subject is deleted whole: the stricter choice)."""
    for version in repository.versions_of(session, ids):
        context = b"version:" + version.signal_id.bytes
        snapshot = json.loads(keys.open(Sealed(version.key_id, version.snapshot), context=context))
        kept, clean = [], True
        for subject in snapshot.get("subjects", []):
            tokens = _subject_tokens(keys, subject)
            if tokens is None:
                clean = False
                break
            if not tokens & erased:
                kept.append(subject)
        if not clean:
            session.delete(version)
            continue
        if len(kept) != len(snapshot.get("subjects", [])):
            snapshot["subjects"] = kept
            sealed = keys.seal(json.dumps(snapshot).encode(), context=context)
            version.key_id, version.snapshot = sealed.key_id, sealed.blob


def _erase(
    session: Session, desk: Desk, request: SubjectRequest, held: repository.Holdings
) -> dict[str, Any]:
    """Remove the person across the hub (AVG art. 17).

    A signal whose every subject is the person goes whole (its summary is about them); from any
    other signal the person's subjects go, with their identifiers and tokens, also from the
    versions it kept. Proposals are re-linked from what remains; stored links and digests are
    cleaned of the person's tokens and of the ids of the signals that went. Trend reports stay:
    they hold counts only. The request keeps no tokens afterwards."""
    ids = held.signal_ids
    positions = repository.positions_of(session, ids)
    whole = [i for i in ids if positions.get(i, set()) <= held.subjects[i]]
    partial = [i for i in ids if i not in set(whole)]
    # Every token of the person's subjects (blocking keys included) for the stored links; the
    # match tokens alone to recognise their subjects in kept versions.
    places = {i: held.subjects[i] for i in ids}
    keys_at = repository.identifiers_at(session, places)
    erased_all = {token for _, token in keys_at}
    erased_match = {token for kind, token in keys_at if kind not in BLOCKING_TYPES}
    fellows = desk.linker.fellow_members(session, set(ids)) if desk.linker is not None else set()
    # The processing log's record of this erasure names the person: read before they go.
    ldv.erasing(session, ids)
    for signal_id in partial:
        for position in sorted(held.subjects[signal_id]):
            session.execute(
                delete(Identifier).where(
                    Identifier.signal_id == signal_id, Identifier.subject_position == position
                )
            )
            session.execute(
                delete(Subject).where(Subject.signal_id == signal_id, Subject.position == position)
            )
    _scrub_versions(session, desk.keys, partial, erased_match)
    at = now()
    for signal in repository.signals(session, partial):
        # A new version, without a kept copy of the one before: that copy would hold the person.
        signal.version += 1
        signal.updated_at, signal.updated_by = at, desk.caller.client_id
    for statement in (
        delete(IdempotencyRecord).where(IdempotencyRecord.signal_id.in_(whole)),
        delete(Signal).where(Signal.id.in_(whole)),  # parts, memberships go by ON DELETE CASCADE
    ):
        session.execute(statement, execution_options={"synchronize_session": False})
    session.flush()
    proposals = 0
    if desk.linker is not None:
        result = desk.linker(session, sorted((fellows | set(partial)) - set(whole), key=str))
        proposals = result.changed + result.closed + result.created
    links = _scrub_links(session, partial, erased_all)
    digests = _scrub_digests(session, whole)
    if partial:
        _route(session, desk, request, held, SUMMARY_NOTE, only=set(partial))
    owners = {i: held.agencies[i] for i in ids}
    _audit_signals(
        session,
        desk.caller,
        "signal.subject-erased",
        {i: o for i, o in owners.items() if i in set(partial)},
        {"request": str(request.id)},
    )
    _audit_signals(
        session,
        desk.caller,
        "signal.erased",
        {i: o for i, o in owners.items() if i in set(whole)},
        {"request": str(request.id)},
    )
    request.tokens = []
    return {
        "signals_deleted": [str(i) for i in whole],
        "signals_changed": [str(i) for i in partial],
        "proposals_relinked": proposals,
        "links_cleaned": links,
        "digests_cleaned": digests,
    }


def _scrub_links(session: Session, ids: list[uuid.UUID], erased: set[str]) -> int:
    """Evidence naming the person's tokens goes from every stored link of these signals (the
    linker rewrote the live proposals' links; closed and merged ones keep theirs otherwise)."""
    cleaned = 0
    for link in repository.links_touching(session, ids):
        evidence = [e for e in link.evidence if e[1] not in erased]
        if len(evidence) == len(link.evidence):
            continue
        cleaned += 1
        if evidence:
            link.evidence = evidence
        else:
            session.delete(link)
    session.flush()
    return cleaned


def _scrub_digests(session: Session, ids: list[uuid.UUID]) -> int:
    """The ids of signals that went, out of every stored digest that names them."""
    gone = {str(i) for i in ids}
    digests = repository.digests_naming(session, ids) if ids else []
    for digest in digests:
        document = json.loads(digest.content)
        for case in document.get("cases", []):
            case["own_signal_ids"] = [s for s in case["own_signal_ids"] if s not in gone]
        digest.content = render(document)
        digest.content_hash = fingerprint(document)
    session.flush()
    return len(digests)


def corrections(
    session: Session, keys: DataKeys, caller: Caller, *, limit: int
) -> list[dict[str, Any]]:
    """The corrections routed to the caller's agency, each with its note (audited: a count)."""
    rows = repository.corrections_for(session, caller.agency_id, limit=limit)
    audit.record(
        session,
        caller,
        "subject-corrections.read",
        object_type="subject-correction",
        objects=[(str(c.id), None) for c, _ in rows],
    )
    return [
        {
            "id": c.id,
            "request_id": c.request_id,
            "signal_id": c.signal_id,
            "subject_positions": c.subject_positions,
            "note": correction_note(keys, c),
            "routed_at": c.created_at,
            "signal_version": c.signal_version,
            "status": "corrected" if version > c.signal_version else "open",
        }
        for c, version in rows
    ]
