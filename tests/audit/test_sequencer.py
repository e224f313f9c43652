"""The audit sequencer: requests write events unsealed, one sequencer chains them in commit order,
signs checkpoints, and keeps the unsealed tail young under load."""

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from hub.audit import service as audit
from hub.audit.chain import GENESIS, link, sign_head
from hub.audit.models import HEAD_ID, AuditCheckpoint, AuditEvent, AuditHead
from hub.audit.sequencer import Sequencer, seal_pending, tail
from hub.auth.caller import Caller
from hub.auth.keys import SigningKeys
from hub.cli import app
from hub.config import Settings
from hub.db import make_engine, make_sessionmaker, migrate, now, transaction
from tests.factories import seal_audit

HUB = Caller(agency_id=0, agency_code="HUB", client_id="test", scopes=frozenset(), token_id="t")


@dataclass
class Trail:
    url: str
    sessions: sessionmaker[Session]
    keys: SigningKeys
    postgresql: bool


@pytest.fixture
def trail(db_factory, settings: Settings, tmp_path: Path) -> Iterator[Trail]:  # type: ignore[no-untyped-def]
    """A database of its own, so no server's sequencer seals behind the test's back."""
    db = db_factory("sequencer")
    migrate(db.url)
    engine = make_engine(db.url)
    keys = SigningKeys.load_or_create(tmp_path, settings=settings)
    yield Trail(db.url, make_sessionmaker(engine), keys, engine.dialect.name == "postgresql")
    engine.dispose()


def _record(sessions: sessionmaker[Session], n: int = 1) -> None:
    with transaction(sessions) as session:
        audit.record(
            session,
            HUB,
            "key.rotated",
            object_type="signing-key",
            objects=[(f"k{i}", {"n": i}) for i in range(n)],
        )


def _chain(sessions: sessionmaker[Session]) -> list[tuple[int, int | None]]:
    with sessions() as session:
        return [tuple(r) for r in session.execute(select(AuditEvent.id, AuditEvent.seq))]  # type: ignore[misc]


def _report(trail: Trail, bound: float = 5.0) -> audit.TrailReport:
    with trail.sessions() as session:
        return audit.verify_trail(session, trail.keys.keyset(), tail_bound=bound)


def test_a_request_writes_its_event_unsealed_and_the_sequencer_chains_it(trail: Trail) -> None:
    _record(trail.sessions, 3)
    with trail.sessions() as session:
        assert session.scalar(select(AuditHead.seq).where(AuditHead.id == HEAD_ID)) == 0
        assert tail(session)[0] == 3
    assert [seq for _, seq in _chain(trail.sessions)] == [None, None, None]
    with transaction(trail.sessions) as session:
        done = seal_pending(session, trail.keys.active())
    assert (done.sealed, done.head_seq, done.checkpoint_seq) == (3, 3, 3)
    report = _report(trail)
    assert report.ok and report.verdict.checked == 3 and report.checkpoints_checked == 1
    assert report.tail_count == 0 and report.checkpoint_seq == 3


def test_a_lower_id_that_commits_late_is_sealed_later_not_lost(trail: Trail) -> None:
    if trail.postgresql:
        # Two real transactions: the first draws the lower id and commits last.
        late = trail.sessions()
        late.begin()
        audit.record(late, HUB, "late", object_type="test", objects=[("late", None)])
        _record(trail.sessions)
        seal_audit(trail.sessions)
        late.commit()
        late.close()
    else:
        # SQLite lets one writer in at a time, so commit order is id order; the same situation
        # is made by hand: an unsealed event below the id already sealed (ids are hashed at
        # sealing, so moving them before is no tampering).
        _record(trail.sessions)
        with transaction(trail.sessions) as session:
            session.execute(update(AuditEvent).values(id=100))
        seal_audit(trail.sessions)
        with transaction(trail.sessions) as session:
            audit.record(session, HUB, "late", object_type="test", objects=[("late", None)])
            session.execute(update(AuditEvent).where(AuditEvent.action == "late").values(id=1))
    seal_audit(trail.sessions)
    with trail.sessions() as session:
        rows = session.execute(select(AuditEvent.action, AuditEvent.id, AuditEvent.seq)).all()
    by_action = {action: (event_id, seq) for action, event_id, seq in rows}
    assert by_action["late"][0] < by_action["key.rotated"][0]  # the lower id ...
    assert by_action["late"][1] == 2 and by_action["key.rotated"][1] == 1  # ... sealed after
    assert _report(trail).ok


def test_the_tail_stays_under_the_bound_under_load(trail: Trail) -> None:
    sequencer = Sequencer(trail.sessions, trail.keys, poll_seconds=1.0, checkpoint_seconds=1.0)
    stop = threading.Event()
    written = [0] * 8
    ages: list[float] = []
    errors: list[BaseException] = []

    def writer(slot: int) -> None:
        try:
            while not stop.is_set():
                _record(trail.sessions, 1 + slot % 3)
                written[slot] += 1 + slot % 3
                time.sleep(0.002)  # a request does more than write its audit events
        except BaseException as error:  # pragma: no cover - reported by the assert below
            errors.append(error)

    def sampler() -> None:
        while not stop.is_set():
            with trail.sessions() as session:
                _count, oldest = tail(session)
            ages.append((now() - oldest).total_seconds() if oldest else 0.0)
            time.sleep(0.05)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    threads.append(threading.Thread(target=sampler))
    sequencer.start()
    try:
        for thread in threads:
            thread.start()
        time.sleep(4)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        sequencer.stop()
    assert not errors, errors
    assert sum(written) > 50 and len(ages) > 5
    print(f"{sum(written)} events, {len(ages)} samples, tail age max {max(ages):.3f} s")
    assert max(ages) < Settings.model_fields["audit_tail_seconds"].default, max(ages)
    with trail.sessions() as session:
        assert tail(session)[0] == 0  # stopping sealed what the writers committed last
    seqs = sorted(seq for _, seq in _chain(trail.sessions))
    assert seqs == list(range(1, sum(written) + 1))  # each event once, no gaps
    report = _report(trail)
    assert report.ok and report.checkpoints_checked >= 2, report


def test_two_sequencers_at_once_do_not_double_seal(trail: Trail) -> None:
    first = Sequencer(trail.sessions, trail.keys, poll_seconds=0.01, checkpoint_seconds=0)
    second = Sequencer(trail.sessions, trail.keys, poll_seconds=0.01, checkpoint_seconds=0)
    first.start()
    second.start()
    try:
        for _ in range(60):
            _record(trail.sessions, 2)
    finally:
        first.stop()
        second.stop()
    seal_audit(trail.sessions)
    seqs = sorted(seq for _, seq in _chain(trail.sessions))
    assert seqs == list(range(1, 121))
    assert _report(trail).ok


def test_a_second_sequencer_skips_while_one_seals(trail: Trail) -> None:
    _record(trail.sessions)
    with transaction(trail.sessions) as holding:
        assert seal_pending(holding).sealed == 1
        if trail.postgresql:
            # SQLite admits no second writer at all (it would wait for this one).
            with transaction(trail.sessions) as other:
                assert seal_pending(other).skipped
    with transaction(trail.sessions) as session:
        assert seal_pending(session).sealed == 0  # nothing left
    assert [seq for _, seq in _chain(trail.sessions)] == [1]


def _sealed_with_checkpoint(trail: Trail) -> None:
    for _ in range(3):
        _record(trail.sessions, 2)
    with transaction(trail.sessions) as session:
        seal_pending(session, trail.keys.active())


def test_an_altered_checkpoint_fails_verification(trail: Trail) -> None:
    _sealed_with_checkpoint(trail)
    assert _report(trail).checkpoints_checked == 1
    with trail.sessions() as session:
        point = session.scalars(select(AuditCheckpoint)).one()
        token = point.token
    head, payload, signature = token.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    for change in (
        {"token": f"{head}.{payload}.{flipped}"},
        {"hash": "f" * 64},
        {"seq": 2},
    ):
        with trail.sessions() as session:
            session.execute(update(AuditCheckpoint).values(change))
            verdict = audit.verify_trail(session, trail.keys.keyset()).verdict
            session.rollback()
        assert not verdict.ok and "checkpoint" in verdict.reason, change
    assert _report(trail).ok


def test_a_rewritten_chain_and_head_are_caught_by_the_checkpoint(trail: Trail) -> None:
    """An attacker who rewrites an entry, rehashes everything after it and moves the head row
    leaves a chain that links; the checkpoint the hub signed does not match it."""
    _sealed_with_checkpoint(trail)
    table = AuditEvent.__table__
    with transaction(trail.sessions) as session:
        rows = [dict(r) for r in session.execute(select(table).order_by(table.c.seq)).mappings()]
        rows[1]["agency"] = "FORGED"
        prev = rows[0]["hash"]
        for row in rows[1:]:
            row["prev_hash"], row["hash"] = prev, link(prev, row)
            prev = row["hash"]
            session.execute(update(table).where(table.c.id == row["id"]).values(row))
        session.execute(update(AuditHead).values(hash=prev))
    report = _report(trail)
    assert not report.ok and report.verdict.first_bad_seq == 6
    assert "checkpoint" in report.verdict.reason


def test_newest_entries_cut_off_with_the_head_moved_back_are_caught(trail: Trail) -> None:
    _sealed_with_checkpoint(trail)
    with transaction(trail.sessions) as session:
        session.execute(AuditEvent.__table__.delete().where(AuditEvent.seq > 4))
        kept = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == 4))
        session.execute(update(AuditHead).values(seq=4, hash=kept))
    verdict = _report(trail).verdict
    assert not verdict.ok and verdict.first_bad_seq == 6 and "checkpoint" in verdict.reason


def test_a_checkpoint_signed_by_another_key_is_not_trusted(trail: Trail) -> None:
    _sealed_with_checkpoint(trail)
    intruder = RSAKey.generate_key(2048, parameters={"kid": "intruder"}, private=True)
    with transaction(trail.sessions) as session:
        head = session.get_one(AuditHead, HEAD_ID)
        session.add(
            AuditCheckpoint(
                seq=head.seq, hash="e" * 64, signed_at=now(), token=sign_head(6, "e" * 64, intruder)
            )
        )
    report = _report(trail)
    # Not a key of the hub's: counted apart, and it vouches for nothing.
    assert report.ok and report.checkpoints_checked == 1 and report.checkpoints_retired == 1
    with trail.sessions() as session:
        published = KeySet([*trail.keys.keyset().keys, intruder])
        forged = audit.verify_trail(session, published).verdict
    assert not forged.ok


def test_an_old_unsealed_tail_fails_verify_until_sealed(
    trail: Trail, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HUB_DATABASE_URL", trail.url)
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HUB_ISSUER", "http://127.0.0.1:9")
    _record(trail.sessions, 2)
    with transaction(trail.sessions) as session:
        session.execute(update(AuditEvent).values(occurred_at=now() - timedelta(seconds=30)))
    report = _report(trail)
    assert report.verdict.ok and not report.ok and report.tail_count == 2
    assert report.tail_age >= 30
    behind = CliRunner().invoke(app, ["audit", "verify"])
    assert behind.exit_code == 2 and "not sealed" in behind.output, behind.output
    sealed = CliRunner().invoke(app, ["audit", "seal"])
    assert sealed.exit_code == 0 and "sealed 2" in sealed.output, sealed.output
    sound = CliRunner().invoke(app, ["audit", "verify"])
    assert sound.exit_code == 0 and "0 unsealed" in sound.output, sound.output


def test_a_sealed_event_marked_unsealed_again_leaves_a_gap(trail: Trail) -> None:
    """Clearing an entry's place (to have it sealed again at the end) does not hide it moving."""
    _sealed_with_checkpoint(trail)
    with transaction(trail.sessions) as session:
        session.execute(
            update(AuditEvent).where(AuditEvent.seq == 3).values(seq=None, prev_hash=None)
        )
    seal_audit(trail.sessions)
    verdict = _report(trail).verdict
    assert not verdict.ok and verdict.first_bad_seq == 4 and "missing" in verdict.reason


def test_events_inserted_directly_are_chained_too(trail: Trail) -> None:
    """Whatever writes an audit row (here plain SQL) leaves it for the sequencer to seal."""
    with transaction(trail.sessions) as session:
        session.execute(
            insert(AuditEvent).values(
                occurred_at=now(), agency="HUB", action="direct", object_type="test"
            )
        )
    seal_audit(trail.sessions)
    with trail.sessions() as session:
        assert session.scalar(select(func.count()).where(AuditEvent.seq.is_(None))) == 0
    assert _report(trail).ok


def test_the_head_signed_before_the_upgrade_becomes_the_first_checkpoint(
    db_factory, settings: Settings, tmp_path: Path
) -> None:
    db = db_factory("audit_0018")
    migrate(db.url, "0018")
    engine = make_engine(db.url)
    keys = SigningKeys.load_or_create(tmp_path, settings=settings)
    prev, rows = GENESIS, []
    for seq in (1, 2):
        row = {
            "id": seq,
            "occurred_at": now(),
            "agency": "HUB",
            "client_id": None,
            "action": "key.rotated",
            "object_type": "signing-key",
            "object_id": f"k{seq}",
            "owner": None,
            "purpose": None,
            "level": None,
            "covenant_id": None,
            "covenant_version": None,
            "rule_id": None,
            "detail": None,
            "hash_version": 2,
            "seq": seq,
            "prev_hash": prev,
        }
        row["hash"] = prev = link(prev, row)
        rows.append(row)
    with engine.begin() as conn:
        conn.execute(insert(AuditEvent.__table__), rows)
        # Signed at entry 1, the head moved on to 2 since (what `hub audit verify` left).
        conn.execute(
            text(
                "UPDATE audit_head SET seq = 2, hash = :head, signed_seq = 1, "
                "signed_token = :token, signed_at = :at"
            ),
            {"head": prev, "token": sign_head(1, rows[0]["hash"], keys.active()), "at": now()},
        )
    migrate(db.url)
    with make_sessionmaker(engine)() as session:
        report = audit.verify_trail(session, keys.keyset())
        point = session.scalars(select(AuditCheckpoint)).one()
    engine.dispose()
    assert (point.seq, point.hash) == (1, rows[0]["hash"])
    assert report.ok and report.verdict.checked == 2 and report.checkpoints_checked == 1


def test_commits_one_by_one_are_sealed_in_shared_rounds(
    trail: Trail, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each commit that wrote events wakes the sequencer, but a round comes at most every
    MIN_GAP_SECONDS: a stream of single posts does not pay a round (head lock, reads, update,
    checkpoint check) for each of its events."""
    from hub.audit import sequencer as module

    rounds: list[int] = []

    def counted(session, key=None, **kw):  # type: ignore[no-untyped-def]
        done = seal_pending(session, key, **kw)
        rounds.append(done.sealed)
        return done

    monkeypatch.setattr(module, "seal_pending", counted)
    sequencer = Sequencer(trail.sessions, trail.keys, poll_seconds=5.0, checkpoint_seconds=60)
    sequencer.start()
    try:
        for _ in range(40):
            _record(trail.sessions)
            time.sleep(0.01)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with trail.sessions() as session:
                if tail(session)[0] == 0:
                    break
            time.sleep(0.05)
    finally:
        sequencer.stop()
    assert sum(rounds) == 40
    assert len([r for r in rounds if r]) <= 5, rounds
