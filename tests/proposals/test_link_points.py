"""The queue sums a proposal's link points in SQL, over the links whose two ends the viewer may
see. Over random members (source, region, binding, barriers, restriction) and links, each
viewer's points must be exactly the Python definition: the links between members whose own
grant (policy.decide through grants_for) is `hit` or more, and no other link."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.agencies.directory import AgencyDirectory
from hub.agencies.models import Agency as AgencyRow
from hub.auth.caller import Caller
from hub.covenants.loader import load_covenants
from hub.covenants.model import Level
from hub.covenants.service import bind, bindings_for
from hub.covenants.viewer import Viewer, build_viewer
from hub.kit import clock
from hub.linking.models import Proposal, ProposalLink, ProposalMember
from hub.paths import document_dir
from hub.proposals import ranking
from hub.signals.models import Signal, SignalBarrier
from hub.signals.reads import grants_for
from hub.subjects.models import SignalRestriction, SubjectRequest
from tests.conftest import REGION_OF

COVENANTS = load_covenants(document_dir("covenants"))
SOURCES = ("KMAR", "IND", "SZW", "POLITIE", "EMM", "GM0363", "RIEC-AA")
VIEWERS = ("EMM", "RIEC-AA", "RIEC-RR", "KMAR", "SZW", "GM0363", "LIEC")
BARRIERS = ("entry", "accommodation", "identity", "employment", "finance")
WEIGHTS: dict[str, float] = {}

member = st.tuples(
    st.sampled_from(SOURCES),
    st.sampled_from(sorted(REGION_OF)),
    st.sampled_from(("today", "none", "other")),  # the binding: as ingest makes it, none, another's
    st.frozensets(st.sampled_from(BARRIERS), min_size=1, max_size=3),
    st.booleans(),  # restricted
)
# Awkward floats on purpose: a sum in another order or a rounded transfer would show.
points = st.floats(0.1, 40.0, allow_nan=False).map(lambda p: p + 1e-9)


@st.composite
def clusters(draw: st.DrawFn) -> tuple[list[tuple[Any, ...]], list[list[tuple[int, int, float]]]]:
    members = draw(st.lists(member, min_size=2, max_size=9))
    proposals = []
    for _ in range(draw(st.integers(1, 3))):
        chosen = draw(st.lists(st.integers(0, len(members) - 1), min_size=2, unique=True))
        pairs = [(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1 :]]
        linked = draw(st.lists(st.sampled_from(pairs), min_size=1, unique=True))
        proposals.append([(a, b, draw(points)) for a, b in linked] + [(a, a, -1.0) for a in chosen])
    return members, proposals


def _viewer(session: Session, code: str) -> Viewer:
    agency_id = session.scalar(select(AgencyRow.id).where(AgencyRow.code == code))
    assert agency_id is not None
    caller = Caller(agency_id, code, "test", frozenset(), "t")
    return build_viewer(
        session, caller, purpose="case-proposal", covenants=COVENANTS, agencies=AgencyDirectory()
    )


def _store(session: Session, drawn: list[tuple[Any, ...]], proposals: list) -> list[Proposal]:
    ids = {
        code: session.scalar(select(AgencyRow.id).where(AgencyRow.code == code)) for code in SOURCES
    }
    agencies = AgencyDirectory().all(session)
    request = SubjectRequest(kind="restrict", agency="DPO", opened_by="t", tokens=[], found={})
    session.add(request)
    signals = []
    for n, (code, municipality, binding, barriers, restricted) in enumerate(drawn):
        source = agencies[ids[code]]
        other = agencies[ids["KMAR" if code != "KMAR" else "EMM"]]
        terms = {
            "today": bindings_for(source, COVENANTS, clock.today()),
            "other": bindings_for(other, COVENANTS, clock.today())[:1],
            "none": [],
        }[binding]
        signal = Signal(
            id=uuid.uuid4(),
            agency_id=ids[code],
            external_ref=f"link-points-{uuid.uuid4().hex}-{n}",
            observed_at=datetime.now(UTC) - timedelta(days=n),
            municipality=municipality,
            region=REGION_OF[municipality],
            binding_id=bind(session, terms),
            reliability="B",
            credibility="2",
            created_by="test",
            updated_by="test",
        )
        session.add(signal)
        session.flush()
        session.add_all(SignalBarrier(signal_id=signal.id, barrier=b) for b in sorted(barriers))
        if restricted:
            session.flush()
            session.add(SignalRestriction(signal_id=signal.id, request_id=request.id, ground="t"))
        signals.append(signal)
    made = []
    for links in proposals:
        proposal = Proposal(
            id=uuid.uuid4(), score=0.0, score_parts={}, barriers=[], agencies=[], size=0
        )
        session.add(proposal)
        session.flush()
        chosen = sorted({a for a, b, _ in links if a == b})
        proposal.size = len(chosen)
        session.add_all(
            ProposalMember(proposal_id=proposal.id, signal_id=signals[i].id) for i in chosen
        )
        session.add_all(
            ProposalLink(
                proposal_id=proposal.id,
                signal_a=signals[a].id,
                signal_b=signals[b].id,
                points=w,
                evidence=[],
            )
            for a, b, w in links
            if a != b
        )
        made.append(proposal)
    session.flush()
    return made


def _expected(session: Session, viewer: Viewer, proposal: Proposal) -> list[float] | None:
    """The Python definition: links between members the policy grants `hit` or more."""
    signals = list(
        session.scalars(
            select(Signal)
            .join(ProposalMember, ProposalMember.signal_id == Signal.id)
            .where(ProposalMember.proposal_id == proposal.id)
        )
    )
    held = {
        s
        for s in session.scalars(
            select(SignalRestriction.signal_id).where(
                SignalRestriction.signal_id.in_([s.id for s in signals])
            )
        )
    }
    grants = grants_for(session, viewer, signals, held=held)
    seen = {s.id for s, g in zip(signals, grants, strict=True) if g.level >= Level.HIT}
    if len(seen) < 2:
        return None
    links = session.scalars(select(ProposalLink).where(ProposalLink.proposal_id == proposal.id))
    return sorted(link.points for link in links if {link.signal_a, link.signal_b} <= seen)


@pytest.mark.usefixtures("world")
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=clusters())
def test_sql_link_points_are_the_links_between_members_the_viewer_sees(
    sessions: sessionmaker[Session], drawn: tuple
) -> None:
    members, links = drawn
    session = sessions()
    try:
        proposals = _store(session, members, links)
        mine = Proposal.id.in_([p.id for p in proposals])
        for code in VIEWERS:
            viewer = _viewer(session, code)
            seen = ranking.seen_by(session, viewer, mine, weights=WEIGHTS, at=datetime.now(UTC))
            for proposal in proposals:
                expected = _expected(session, viewer, proposal)
                view = seen.get(proposal.id)
                assert (view is None) == (expected is None), (code, expected)
                if view is not None:
                    assert list(view.link_points) == expected, code
    finally:
        session.rollback()
        session.close()


@pytest.mark.usefixtures("world")
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=clusters(), data=st.data())
def test_links_recounted_where_the_policy_withholds_a_member_keep_both_ends_seen(
    sessions: sessionmaker[Session], drawn: tuple, data: st.DataObject
) -> None:
    """Where the policy withholds a member the SQL form let through, the queue counts that
    proposal's links again in Python: over any members seen, only links between two of them."""
    members, links = drawn
    session = sessions()
    try:
        proposals = _store(session, members, links)
        seen: dict[uuid.UUID, set[int]] = {}
        for proposal in proposals:
            ids = sorted(
                session.scalars(
                    select(ProposalMember.signal_id).where(
                        ProposalMember.proposal_id == proposal.id
                    )
                )
            )
            seen[proposal.id] = {i.int for i in data.draw(st.sets(st.sampled_from(ids)))}
        found = ranking._links_among(session, seen)
        for proposal in proposals:
            stored = session.scalars(
                select(ProposalLink).where(ProposalLink.proposal_id == proposal.id)
            )
            mine = seen[proposal.id]
            expected = [
                link.points
                for link in stored
                if link.signal_a.int in mine and link.signal_b.int in mine
            ]
            assert sorted(found.get(proposal.id, [])) == sorted(expected)
    finally:
        session.rollback()
        session.close()
