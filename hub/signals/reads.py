"""Reading signals through the one policy decision point: decided, redacted and audited.

Every signal that leaves the hub passes `policy.decide` and `redact.redact` here; a signal
shown to anyone but its source is recorded in the audit trail in the same transaction.
"""

import logging
import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session

from hub.audit import service as audit
from hub.covenants.model import Level, Rule
from hub.covenants.policy import INVESTIGATION, OWNER, Grant, SignalFacts, decide, in_force
from hub.covenants.redact import pseudonymiser, redact
from hub.covenants.sql import visible_to
from hub.covenants.viewer import Viewer
from hub.errors import NotFound
from hub.kit.crypto import DataKeys
from hub.kit.i18n import N_
from hub.ldv import collect as ldv
from hub.signals import repository
from hub.signals.models import Signal
from hub.signals.repository import SignalFilter
from hub.signals.service import represent

log = logging.getLogger(__name__)
_NONE: frozenset[Any] = frozenset()


def _needs(where: SignalFilter) -> tuple[frozenset[str], Level]:
    """What a filter reveals, so it only matches signals whose grant shows that much."""
    needs = set()
    if where.indicator is not None:
        needs.add("indicators")
    if where.municipality is not None:
        needs.add("location")
    dated = (where.observed_since, where.observed_until, where.updated_since)
    summary = bool(needs) or any(value is not None for value in dated)
    return frozenset(needs), Level.SUMMARY if summary else Level.HIT


def grants_for(
    session: Session,
    viewer: Viewer,
    signals: list[Signal],
    *,
    needs: frozenset[str] = frozenset(),
    parts: repository.SignalParts | None = None,
    held: set[uuid.UUID] | None = None,
) -> list[Grant]:
    """The policy's decision for each signal: the source's own in full, others by covenant.
    Pass `parts`, or `held` (those of the signals whose processing is restricted), when they
    were read already."""
    purpose, covenants, today = viewer.purpose, viewer.covenants, viewer.today
    own_id = viewer.agency_id
    foreign = [s for s in signals if s.agency_id != own_id]
    # Of a signal's parts the policy reads its barriers only.
    if parts is not None:
        barriers_of = parts.barriers
    elif foreign and purpose:
        barriers_of = repository.barriers_of(session, [s.id for s in foreign])
    else:
        barriers_of = {}
    accepted = (
        repository.accepted_by(session, [s.id for s in foreign])
        if foreign and purpose and _case_scoped(viewer, purpose)
        else {}
    )
    granted = (
        repository.granted_to(session, [s.id for s in foreign])
        if foreign and purpose == INVESTIGATION
        else {}
    )
    if held is None:
        ids = [s.id for s in foreign]
        held = repository.restricted(session, ids) if foreign and purpose else set()
    # Signals with the same facts get the same decision: a page has only a few kinds.
    decided: dict[tuple[Any, ...], Grant] = {}
    grants = []
    for signal in signals:
        if signal.agency_id == own_id:
            grants.append(OWNER)
            continue
        if purpose is None:
            grants.append(Grant(Level.NONE, frozenset()))
            continue
        barriers = frozenset(barriers_of.get(signal.id, ()))
        binding = signal.binding
        # Most reads have no cases, consents or restrictions: skip the lookups then.
        cases = accepted.get(signal.id, _NONE) if accepted else _NONE
        consents = granted.get(signal.id, _NONE) if granted else _NONE
        restricted = signal.id in held if held else False
        kind = (
            signal.agency_id,
            barriers,
            signal.region,
            binding.key if binding else None,
            cases,
            consents,
            restricted,
        )
        if kind not in decided:
            facts = _signal_facts(viewer, signal, barriers, cases, consents, restricted=restricted)
            decided[kind] = decide(viewer.agency, purpose, facts, covenants, today, needs=needs)
        grants.append(decided[kind])
    return grants


def _signal_facts(
    viewer: Viewer,
    signal: Signal,
    barriers: frozenset[str],
    cases: frozenset[str],
    consents: frozenset[tuple[str, str]] = frozenset(),
    *,
    restricted: bool = False,
) -> SignalFacts:
    binding = signal.binding
    return SignalFacts(
        source=viewer.agencies[signal.agency_id],
        barriers=barriers,
        region=signal.region,
        accepted_by=cases,
        granted_to=consents,
        bound=binding.terms if binding is not None else {},
        restricted=restricted,
    )


def facts_of(
    session: Session,
    viewer: Viewer,
    signals: list[Signal],
    *,
    purpose: str | None = None,
    held: set[uuid.UUID] | None = None,
) -> list[SignalFacts]:
    """What the policy knows of each signal (its source, barriers, region, cases, binding)
    for decisions on `purpose` (None: on any); pass `held` (those of the signals whose
    processing is restricted) when it was read already."""
    if not signals:
        return []
    ids = [s.id for s in signals]
    barriers = repository.barriers_of(session, ids)
    accepted = repository.accepted_by(session, ids) if _case_scoped(viewer, purpose) else {}
    if held is None:
        held = repository.restricted(session, ids)
    return [
        _signal_facts(
            viewer,
            s,
            frozenset(barriers.get(s.id, [])),
            accepted.get(s.id, frozenset()),
            restricted=s.id in held,
        )
        for s in signals
    ]


def _rules_for(viewer: Viewer, purpose: str | None) -> Iterator[Rule]:
    """The rules that could grant this viewer a signal for `purpose` (None: for any), in any
    version of a covenant in force: signals stay bound to the versions they were shared under."""
    current = in_force(viewer.covenants, viewer.today)
    for covenant in viewer.covenants:
        if covenant.id not in current or not covenant.is_party(viewer.agency):
            continue
        if purpose is not None and purpose not in covenant.purposes:
            continue
        for rule in covenant.rules:
            if purpose is not None and purpose not in rule.purposes:
                continue
            if any(party.matches(viewer.agency) for party in rule.viewers):
                yield rule


def _case_scoped(viewer: Viewer, purpose: str | None = None) -> bool:
    """Whether a rule that could grant this viewer depends on accepted cases: only then can a
    signal's cases change the decision, so only then are they read."""
    return any(rule.scope == "accepted-cases" for rule in _rules_for(viewer, purpose))


def _pseudonymising(viewer: Viewer) -> bool:
    """Whether a rule may show this viewer subjects as pseudonyms for its purpose: then a
    page reads the match keys with the subjects, not in a query of their own."""
    return viewer.purpose is not None and any(
        rule.level == Level.PSEUDONYMISED for rule in _rules_for(viewer, viewer.purpose)
    )


def disclose(
    session: Session,
    keys: DataKeys,
    viewer: Viewer,
    pairs: list[tuple[Signal, Grant]],
    parts: repository.SignalParts | None = None,
    *,
    detail: dict[str, Any] | None = None,
    bare: bool = False,
) -> list[dict[str, Any]]:
    """Redact each signal to its grant and audit what went to someone other than the source
    (with `detail`, e.g. the lookup it answered, on each event). `bare`: without summaries and
    subjects (nothing decrypted), where only facts about the signals are shown."""
    pseudonym = pseudonymiser(keys.pseudonym_key, viewer.code)
    # Pseudonyms come from the stored blind-index tokens, so subjects shown only as pseudonyms
    # are never decrypted.
    masked = [s.id for s, g in pairs if not bare and not g.own and g.level == Level.PSEUDONYMISED]
    if parts is not None and parts.keys is not None:
        tokens = parts.keys
    else:
        tokens = repository.match_keys(session, masked) if masked else {}
    full = represent(
        session,
        keys,
        [signal for signal, _ in pairs],
        parts=parts,
        sealed=frozenset(masked),
        bare=bare,
    )
    shown = []
    for out, (signal, grant) in zip(full, pairs, strict=True):
        redacted = redact(
            out.model_dump(), grant, pseudonym=pseudonym, keys=tokens.get(signal.id, {})
        )
        if redacted is not None:
            shown.append(redacted)
    record_shown(session, viewer, [(s.id, s.agency_id, g) for s, g in pairs], detail=detail)
    return shown


def record_shown(
    session: Session,
    viewer: Viewer,
    shown: list[tuple[uuid.UUID, int, Grant]],
    *,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record signals (id, source agency id, grant) as shown to the viewer: an audit event for
    each that went to someone other than its source (with `detail`), the processing log's
    record for its own."""
    codes = {agency_id: agency.code for agency_id, agency in viewer.agencies.items()}
    disclosed = [
        (str(i), codes[agency_id], g)
        for i, agency_id, g in shown
        if not g.own and g.level > Level.NONE
    ]
    if disclosed and viewer.purpose is not None:
        audit.disclosed(session, viewer.caller, viewer.purpose, disclosed, detail=detail)
    # A source reading its own signals discloses nothing (no audit event), but it is still a
    # processing of personal data: the processing log records it (LDV, the stricter reading).
    own = [i for i, _, g in shown if g.own]
    if own:
        ldv.processed(session, "signal.read-own", signal_ids=own, purpose=viewer.purpose)


def read_one(
    session: Session, keys: DataKeys, viewer: Viewer, signal_id: uuid.UUID
) -> tuple[dict[str, Any], int]:
    """The signal as the caller may see it, with its version; 404 when it may see nothing.

    The policy's SQL form picks the row, so a missing and an invisible id run the same one
    query and take the same time: the answer's timing does not tell them apart."""
    signal, held = repository.visible_and_held(session, signal_id, visible=visible_to(viewer))
    if signal is not None:
        parts = repository.parts_of(session, [signal], keys=_pseudonymising(viewer))
        restricted = {signal.id} if held else set()
        [grant] = grants_for(session, viewer, [signal], parts=parts, held=restricted)
        if grant.level > Level.NONE:
            shown = disclose(session, keys, viewer, [(signal, grant)], parts)
            return shown[0], signal.version
    raise NotFound(
        N_("There is no signal {id} that you may see for this purpose."), params={"id": signal_id}
    )


def read_page(
    session: Session,
    keys: DataKeys,
    viewer: Viewer,
    where: SignalFilter,
    *,
    after: int | None,
    limit: int,
) -> tuple[list[dict[str, Any]], int | None]:
    """One page of what the caller may see, and the key to continue after (None at the end).

    The policy is pushed into the query, so a page is never short of rows the viewer may see
    and never counts rows it may not."""
    needs, min_level = _needs(where)
    clause = visible_to(viewer, needs=needs, min_level=min_level)
    rows, held = repository.page_and_held(session, clause, where, after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    parts = repository.parts_of(session, rows, keys=_pseudonymising(viewer)) if rows else None
    grants = grants_for(session, viewer, rows, needs=needs, parts=parts, held=held)
    # The SQL and the policy agree (tests hold them to it); should they ever not, the stricter
    # answer wins and the row is left out.
    pairs = [(r, g) for r, g in zip(rows, grants, strict=True) if g.own or g.level >= min_level]
    if len(pairs) < len(rows):
        log.error(
            "policy pushdown let %d row(s) through that the policy withholds",
            len(rows) - len(pairs),
        )
    shown = disclose(session, keys, viewer, pairs, parts=parts)
    return shown, (rows[-1].pk if more else None)
