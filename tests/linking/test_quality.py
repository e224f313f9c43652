"""Linking quality on the synthetic generator's ground truth, through the real seeding path.

The demo data plants eight multi-agency cases among noise built to tempt false links: an
employment agency's seat, briefadressen and apartment blocks shared by unrelated signals.
"""

import uuid
from pathlib import Path

from sqlalchemy import select

from hub.agencies.models import Agency
from hub.config import Settings
from hub.db import make_engine, make_sessionmaker, migrate
from hub.demo.seed import seed
from hub.demo.synthetic import generate
from hub.linking.models import Proposal, ProposalMember
from hub.linking.quality import bcubed, pairwise
from hub.linking.service import LIVE
from hub.signals.models import Signal


def test_planted_cases_are_found_and_traps_do_not_chain(db_factory, tmp_path: Path) -> None:
    db = db_factory("quality")
    migrate(db.url)
    settings = Settings(data_dir=tmp_path / "data", database_url=db.url)
    result = seed(settings)
    assert result["proposals"] > 0
    engine = make_engine(db.url)
    with make_sessionmaker(engine)() as session:
        by_ref = {
            (code, ref): signal_id
            for signal_id, code, ref in session.execute(
                select(Signal.id, Agency.code, Signal.external_ref).join(
                    Agency, Agency.id == Signal.agency_id
                )
            )
        }
        found: dict[uuid.UUID, set[uuid.UUID]] = {}
        for proposal_id, signal_id in session.execute(
            select(ProposalMember.proposal_id, ProposalMember.signal_id)
            .join(Proposal, Proposal.id == ProposalMember.proposal_id)
            .where(Proposal.status.in_(LIVE))
        ):
            found.setdefault(proposal_id, set()).add(signal_id)
    engine.dispose()
    truth = [{by_ref[code, ref] for code, ref in c.external_refs} for c in generate().clusters]

    scores = bcubed(truth, found.values(), by_ref.values())
    assert scores.f1 >= 0.95, scores
    assert pairwise(truth, found.values()).recall >= 0.9
    for planted in truth:
        # Most of every planted case sits in one proposal ...
        assert max(len(planted & members) for members in found.values()) * 2 > len(planted)
        # ... and no proposal mixes two planted cases.
        for members in found.values():
            if members & planted:
                assert not any(members & other for other in truth if other is not planted)
