"""The policy, pushed into SQL: which signals a viewer may list, so pages and counts never
reveal what the viewer may not see. Must agree with policy.decide() (tests hold them to it)."""

import functools
from collections.abc import Mapping
from datetime import date

from sqlalchemy import ColumnElement, and_, case, exists, or_, select, true

from hub.covenants.model import Agency, Covenant, Level
from hub.covenants.models import BindingTerm, CaseOpening, DisclosureItem, DisclosureRequest
from hub.covenants.policy import INVESTIGATION, in_force
from hub.covenants.viewer import Viewer
from hub.linking.models import Proposal, ProposalMember
from hub.signals.models import Signal, SignalBarrier
from hub.subjects.models import SignalRestriction

# A restricted signal is its source's alone until the restriction is lifted (policy.decide).
# An uncorrelated NOT IN, which the database reads once and hashes: a correlated NOT EXISTS
# inside the policy's OR is run again for each row (73,000 times for one EMM queue at 100k).
# The same as NOT EXISTS here, since a restriction's signal_id is never NULL (a key column).
UNRESTRICTED: ColumnElement[bool] = Signal.id.not_in(select(SignalRestriction.signal_id))


def visible_to(
    viewer: Viewer, *, needs: frozenset[str] = frozenset(), min_level: Level = Level.HIT
) -> ColumnElement[bool]:
    """A WHERE clause: what this request's viewer may list for its purpose."""
    return visible(
        viewer=viewer.agency,
        viewer_id=viewer.agency_id,
        purpose=viewer.purpose,
        covenants=viewer.covenants,
        agencies=viewer.agencies,
        today=viewer.today,
        needs=needs,
        min_level=min_level,
    )


def visible(
    *,
    viewer: Agency,
    viewer_id: int,
    purpose: str | None,
    covenants: tuple[Covenant, ...],
    agencies: Mapping[int, Agency],
    today: date,
    needs: frozenset[str] = frozenset(),
    min_level: Level = Level.HIT,
) -> ColumnElement[bool]:
    """A WHERE clause: the viewer's own signals, or signals some applicable rule grants."""
    return _visible(
        viewer,
        viewer_id,
        purpose,
        covenants,
        tuple(sorted(agencies.items())),
        today,
        needs,
        min_level,
    )


# Built once per viewer, purpose and day: the expression is immutable and the statements that
# use it then share SQLAlchemy's compiled-statement cache.
@functools.lru_cache(maxsize=256)
def _visible(
    viewer: Agency,
    viewer_id: int,
    purpose: str | None,
    covenants: tuple[Covenant, ...],
    agencies: tuple[tuple[int, Agency], ...],
    today: date,
    needs: frozenset[str],
    min_level: Level,
) -> ColumnElement[bool]:
    granted = _leveled(viewer, purpose, covenants, agencies, today, needs, as_shared_today=False)
    own = Signal.agency_id == viewer_id
    clauses = [clause for level, clause in granted if level >= min_level]
    # A restricted signal (UAVG art. 41, AVG art. 18) reaches no one but its source. Tested
    # last: inside the OR the database keeps the order written, and the rules' column tests
    # turn most rows away before a probe of the restrictions would run for them.
    return or_(own, and_(or_(*clauses), UNRESTRICTED)) if clauses else own


def level_of(
    *,
    viewer: Agency,
    viewer_id: int,
    purpose: str,
    covenants: tuple[Covenant, ...],
    agencies: Mapping[int, Agency],
    today: date,
    as_shared_today: bool = False,
) -> ColumnElement[int]:
    """A CASE expression: the level policy.decide() grants the viewer each row (0: none).

    `as_shared_today` judges every signal as if it were shared today (decide() with the signal
    not yet bound: today's version of each covenant whose parties include its source), so two
    sets of covenants can be compared over the same signals (the covenant simulator).
    """
    granted = _leveled(
        viewer,
        purpose,
        covenants,
        tuple(sorted(agencies.items())),
        today,
        frozenset(),
        as_shared_today=as_shared_today,
    )
    whens: list[tuple[ColumnElement[bool], int]] = [
        (Signal.agency_id == viewer_id, int(Level.FULL)),
        (~UNRESTRICTED, int(Level.NONE)),
    ]
    # Highest first: the first clause that holds is the highest level some rule grants.
    for level in sorted({level for level, _ in granted}, reverse=True):
        whens.append((or_(*(c for lv, c in granted if lv == level)), int(level)))
    return case(*whens, else_=int(Level.NONE))


@functools.lru_cache(maxsize=256)
def _leveled(
    viewer: Agency,
    purpose: str | None,
    covenants: tuple[Covenant, ...],
    agencies: tuple[tuple[int, Agency], ...],
    today: date,
    needs: frozenset[str],
    *,
    as_shared_today: bool,
) -> tuple[tuple[Level, ColumnElement[bool]], ...]:
    """Every clause by which a covenant grants the viewer a signal, with the level it grants."""
    if purpose is None:
        return ()
    clauses: list[tuple[Level, ColumnElement[bool]]] = []
    current = in_force(covenants, today)
    for covenant in covenants:
        if covenant.id not in current:
            continue
        if as_shared_today:
            # Bound to today's version of each covenant its source is party to (the rules'
            # sources below keep to the parties), and to no other version.
            if covenant is not current[covenant.id]:
                continue
            bound: ColumnElement[bool] = true()
        else:
            # The binding sets that hold this version: an uncorrelated subquery, which the
            # database reads once and hashes, so each row costs one probe of its column.
            bound = Signal.binding_id.in_(
                select(BindingTerm.binding_id).where(
                    BindingTerm.covenant_id == covenant.id,
                    BindingTerm.covenant_version == covenant.version,
                )
            )
        clauses += _granted_by(covenant, viewer, purpose, dict(agencies), bound, needs)
    return tuple(clauses)


def in_case_accepted_by(agency_code: str) -> ColumnElement[bool]:
    """The signal was opened to this agency by a case it accepted (still accepted, still a
    member): acceptance opens only the members the agency could see when it accepted."""
    return exists(
        select(CaseOpening.signal_id)
        .join(Proposal, Proposal.id == CaseOpening.proposal_id)
        .join(
            ProposalMember,
            (ProposalMember.proposal_id == CaseOpening.proposal_id)
            & (ProposalMember.signal_id == CaseOpening.signal_id),
        )
        .where(
            CaseOpening.signal_id == Signal.id,
            CaseOpening.agency == agency_code,
            Proposal.status == "accepted",
            Proposal.accepted_by == agency_code,
        )
    )


def granted_to(agency_code: str) -> ColumnElement[bool]:
    """The signal's source granted this agency a disclosure request, and has not revoked it."""
    return exists(
        select(DisclosureItem.pk)
        .join(DisclosureRequest, DisclosureRequest.pk == DisclosureItem.request_pk)
        .where(
            DisclosureItem.signal_id == Signal.id,
            DisclosureItem.status == "granted",
            DisclosureRequest.agency == agency_code,
        )
    )


def _granted_by(
    covenant: Covenant,
    viewer: Agency,
    purpose: str,
    agencies: Mapping[int, Agency],
    bound: ColumnElement[bool],
    needs: frozenset[str],
) -> list[tuple[Level, ColumnElement[bool]]]:
    if purpose not in covenant.purposes or not covenant.is_party(viewer):
        return []
    clauses: list[tuple[Level, ColumnElement[bool]]] = []
    if purpose == INVESTIGATION:
        # A source's grant, honoured while this covenant binds both parties (policy.decide).
        parties = sorted(a for a, agency in agencies.items() if covenant.is_party(agency))
        if parties:
            grant = and_(Signal.agency_id.in_(parties), bound, granted_to(viewer.code))
            clauses.append((Level.FULL, grant))
    for rule in covenant.rules:
        if rule.aggregates_only or purpose not in rule.purposes:
            continue
        if not needs <= rule.categories or not any(p.matches(viewer) for p in rule.viewers):
            continue
        sources = sorted(
            agency_id
            for agency_id, agency in agencies.items()
            if covenant.is_party(agency) and any(p.matches(agency) for p in rule.sources)
        )
        if not sources:
            continue
        # The row's own columns first, then the lookups a row costs (tested in this order).
        parts: list[ColumnElement[bool]] = [Signal.agency_id.in_(sources)]
        if rule.scope == "own-region":
            if viewer.region is None:
                continue
            parts.append(Signal.region == viewer.region)
        parts.append(bound)
        if rule.barriers is not None:
            # Every barrier of the signal must be one the rule covers.
            parts.append(
                ~exists().where(
                    SignalBarrier.signal_id == Signal.id,
                    SignalBarrier.barrier.not_in(sorted(rule.barriers)),
                )
            )
        if rule.scope == "accepted-cases":
            parts.append(in_case_accepted_by(viewer.code))
        clauses.append((rule.level, and_(*parts)))
    return clauses
