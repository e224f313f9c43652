"""Several hub processes share the linking queue: each row is linked once, the result is one."""

import threading
import time

from sqlalchemy import func, select

from hub.db import make_engine, make_sessionmaker, transaction
from hub.linking.models import LinkingLock, LinkQueueItem, Proposal, ProposalMember
from hub.linking.queue import LinkWorker
from hub.linking.service import LIVE, SEEDS_PER_LIMIT, LinkSettings, step_limit
from hub.signals.models import Signal
from tests.linking.conftest import linker_for


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
        LinkWorker(make_sessionmaker(engine), linker_for(settings), batch=7) for engine in engines
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


def _relinked_at(sessions):  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalar(select(LinkingLock.relinked_at).where(LinkingLock.id == 1))


def test_a_backlog_that_is_a_large_share_of_the_hub_is_linked_by_one_relink_on_postgresql(
    queued_hub,
) -> None:
    settings, sessions, queued = queued_hub
    before, relinked = _live(sessions), _relinked_at(sessions)
    batches: list[int] = []
    linker = linker_for(settings)

    class Counting(type(linker)):  # type: ignore[misc]
        def __call__(self, session, signal_ids, progress=None):  # type: ignore[no-untyped-def]
            batches.append(len(list(signal_ids)))
            return super().__call__(session, signal_ids, progress=progress)

    counting = Counting(linker.weights, linker.keys, linker.settings)
    worker = LinkWorker(sessions, counting, batch=5, relink_share=0.1)
    assert worker.drain() == queued
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(LinkQueueItem)) == 0
        postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        # Every signal queued six times is far past a tenth of the hub: one relink took it all.
        assert batches == [] and _relinked_at(sessions) != relinked
    else:
        # SQLite has one writer: every post would wait for a relink, so it links in batches.
        assert batches and sum(batches) <= queued and _relinked_at(sessions) == relinked
    assert _live(sessions) == before


def test_a_stop_request_during_a_backlog_relink_leaves_the_whole_queue(queued_hub) -> None:
    settings, sessions, queued = queued_hub
    linker = linker_for(settings)

    class Interrupted(type(linker)):  # type: ignore[misc]
        def relink(self, session, *, progress=None):  # type: ignore[no-untyped-def]
            worker.request_stop()  # SIGTERM arrives while the relink runs
            return super().relink(session, progress=progress)

    interrupted = Interrupted(linker.weights, linker.keys, linker.settings)
    worker = LinkWorker(sessions, interrupted, batch=5, relink_share=0.1)
    with sessions() as session:
        postgresql = session.get_bind().dialect.name == "postgresql"
    drained = worker.drain()
    with sessions() as session:
        left = session.scalar(select(func.count()).select_from(LinkQueueItem))
    if postgresql:
        assert drained == 0 and left == queued  # rolled back between groups, nothing lost
    else:
        assert drained > 0 and left == queued - drained  # batches: stopped after the first


def test_a_backlog_is_linked_several_batches_a_step_on_postgresql(queued_hub) -> None:
    """Queued together, a backlog's signals reach mostly one neighbourhood: on PostgreSQL a
    step links up to `catch_up` batches, reading as much more; SQLite's one writer would keep
    every post waiting that long, so there a step stays one batch."""
    settings, sessions, queued = queued_hub
    linker = linker_for(settings)
    steps: list[int] = []

    class Counting(type(linker)):  # type: ignore[misc]
        def __call__(self, session, signal_ids, progress=None):  # type: ignore[no-untyped-def]
            ids = list(signal_ids)
            steps.append(len(ids))
            return super().__call__(session, ids, progress=progress)

    counting = Counting(linker.weights, linker.keys, linker.settings)
    before = _live(sessions)
    worker = LinkWorker(sessions, counting, batch=5, catch_up=4)
    assert worker.drain() == queued
    with sessions() as session:
        postgresql = session.get_bind().dialect.name == "postgresql"
    # A signal queued twice in one step is one seed: a step holds at most its rows.
    assert max(steps) <= (20 if postgresql else 5) < max(steps) * 2
    assert len(steps) >= queued // (20 if postgresql else 5)
    # The most a step may read grows with its seeds: as much per SEEDS_PER_LIMIT as one batch.
    limit = LinkSettings(neighbourhood_limit=50)
    assert [step_limit(limit, n) for n in (1, SEEDS_PER_LIMIT, SEEDS_PER_LIMIT + 1)] == [
        50,
        50,
        100,
    ]
    assert _live(sessions) == before


def test_signals_posted_one_by_one_are_linked_in_shared_batches(queued_hub) -> None:
    """A post wakes the worker; once the queue has run dry it gathers what comes in for a
    moment, so a stream of single posts does not pay a batch's fixed cost for each signal."""
    _, sessions, _ = queued_hub
    batches: list[int] = []

    def count(session, signal_ids, progress=None):  # type: ignore[no-untyped-def]
        batches.append(len(list(signal_ids)))

    worker = LinkWorker(sessions, count, batch=500)  # type: ignore[arg-type]
    worker.drain()  # the seeded backlog
    batches.clear()
    with sessions() as session:
        ids = list(session.scalars(select(Signal.id).limit(40)))
    worker.start()
    try:
        for signal_id in ids:
            with transaction(sessions) as session:
                worker.queue(session, [signal_id])
            time.sleep(0.01)
        deadline = time.monotonic() + 30
        while _queue_length(sessions) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    assert sum(batches) == len(ids) == 40
    assert len(batches) <= 10, batches


def _queue_length(sessions) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(LinkQueueItem)) or 0
