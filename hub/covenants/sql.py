"""The policy, pushed into SQL: which signals a viewer may list, so pages and counts never
reveal what the viewer may not see. Must agree with policy.decide() (tests hold them to it)."""

import functools
from collections.abc import Mapping
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, or_, select

from hub.covenants.model import Agency, Covenant, Level
from hub.covenants.models import BindingTerm, CaseOpening, DisclosureItem, DisclosureRequest
from hub.covenants.policy import INVESTIGATION, in_force
from hub.covenants.viewer import Viewer
from hub.linking.models import Proposal, ProposalMember
from hub.signals.models import Signal, SignalBarrier
from hub.subjects.models import SignalRestriction

# A restricted signal is its source's alone until the restriction is lifted (policy.decide).
UNRESTRICTED: ColumnElement[bool] = ~exists().where(SignalRestriction.signal_id == Signal.id)


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
    own = Signal.agency_id == viewer_id
    clauses: list[ColumnElement[bool]] = []
    if purpose is not None:
        current = in_force(covenants, today)
        for covenant in covenants:
            if covenant.id in current:
                # The binding sets that hold this version: an uncorrelated subquery, which the
                # database reads once and hashes, so each row costs one probe of its column.
                bound = Signal.binding_id.in_(
                    select(BindingTerm.binding_id).where(
                        BindingTerm.covenant_id == covenant.id,
                        BindingTerm.covenant_version == covenant.version,
                    )
                )
                clauses += _granted_by(
                    covenant, viewer, purpose, dict(agencies), bound, needs, min_level
                )
    return or_(own, and_(UNRESTRICTED, or_(*clauses))) if clauses else own


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
    min_level: Level,
) -> list[ColumnElement[bool]]:
    if purpose not in covenant.purposes or not covenant.is_party(viewer):
        return []
    clauses: list[ColumnElement[bool]] = []
    if purpose == INVESTIGATION:
        # A source's grant, honoured while this covenant binds both parties (policy.decide).
        parties = sorted(a for a, agency in agencies.items() if covenant.is_party(agency))
        if parties:
            clauses.append(and_(Signal.agency_id.in_(parties), bound, granted_to(viewer.code)))
    for rule in covenant.rules:
        if rule.aggregates_only or purpose not in rule.purposes or rule.level < min_level:
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
        parts: list[ColumnElement[bool]] = [Signal.agency_id.in_(sources), bound]
        if rule.barriers is not None:
            # Every barrier of the signal must be one the rule covers.
            parts.append(
                ~exists().where(
                    SignalBarrier.signal_id == Signal.id,
                    SignalBarrier.barrier.not_in(sorted(rule.barriers)),
                )
            )
        if rule.scope == "own-region":
            if viewer.region is None:
                continue
            parts.append(Signal.region == viewer.region)
        elif rule.scope == "accepted-cases":
            parts.append(in_case_accepted_by(viewer.code))
        clauses.append(and_(*parts))
    return clauses
