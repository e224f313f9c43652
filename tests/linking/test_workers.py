"""Several hub processes share the linking queue: each row is linked once, the result is one."""

import threading

from sqlalchemy import func, select

from hub.db import make_engine, make_sessionmaker
from hub.linking.models import LinkQueueItem, Proposal, ProposalMember
from hub.linking.queue import LinkWorker
from hub.linking.service import LIVE
from tests.linking.test_shutdown import _linker


def _live(sessions) -> set[frozenset]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        rows = session.execute(
            select(ProposalMember.proposal_id, ProposalMember.signal_id)
            .join(Proposal, Proposal.id == ProposalMember.proposal_id)
            .where(Proposal.status.in_(LIVE))
        ).all()
    members: dict = {}
    for proposal_id, signal_id in rows:
        members.setdefault(proposal_id, set()).add(signal_id)
    return {frozenset(m) for m in members.values()}


def test_two_workers_with_their_own_engines_link_each_queued_row_once(queued_hub) -> None:
    settings, sessions, queued = queued_hub
    before = _live(sessions)
    assert before, "the seeded hub has proposals to keep"
    engines = [make_engine(settings.database_url) for _ in range(2)]
    workers = [
        LinkWorker(make_sessionmaker(engine), _linker(settings), batch=7) for engine in engines
    ]
    drained = [0, 0]
    failures: list[BaseException] = []

    def run(i: int) -> None:
        try:
            drained[i] = workers[i].drain()
        except BaseException as error:  # reported in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for engine in engines:
        engine.dispose()
    assert not failures, failures
    # Two workers taking the same rows would link more rows than were queued.
    assert sum(drained) == queued
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(LinkQueueItem)) == 0
    # Linking the same signals again, however split between the workers, changes nothing.
    assert _live(sessions) == before
