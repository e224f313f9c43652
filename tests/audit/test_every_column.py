"""The audit hash covers every column of an event: changing any one of them, by SQL behind the
hub's back, makes `hub audit verify` name the entry. Events stored before (hash version 1) keep
verifying under their own rule."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from joserfc.jwk import KeySet
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from hub.audit import chain
from hub.audit import service as audit
from hub.audit.chain import GENESIS, link
from hub.audit.models import HEAD_ID, AuditEvent
from hub.auth.caller import Caller
from hub.cli import app
from hub.config import Settings
from hub.db import make_engine, make_sessionmaker, migrate
from tests.factories import Partner, seal_audit, signal_body

COLUMNS = [c.name for c in AuditEvent.__table__.columns]


def _changed(column: str, value: Any, row: dict[str, Any]) -> Any:
    """A different value of the column's type, that still fits it."""
    if column == "id":
        return row["max_id"] + 1000
    if column == "seq":
        return value + 10**9
    if column == "hash_version":
        return 1
    if column == "occurred_at":
        return value + timedelta(seconds=1)
    if column == "detail":
        return {"tampered": True} if value != {"tampered": True} else {"tampered": False}
    if column == "covenant_version":
        return (value or 0) + 1
    if value is None:
        return "x"
    return value[:-1] + ("x" if not value.endswith("x") else "y")


@pytest.fixture
def cli_verify(settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HUB_DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("HUB_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HUB_ISSUER", settings.issuer)
    return lambda: CliRunner().invoke(app, ["audit", "verify"])


def _an_entry_in_the_middle(api, kmar: Partner, sessions: sessionmaker[Session]) -> dict:  # type: ignore[no-untyped-def]
    for _ in range(3):
        api.post("/api/v1/signals", json=signal_body(), headers=kmar.headers)
    seal_audit(sessions)
    table = AuditEvent.__table__
    with sessions() as session:
        last = session.scalar(select(func.max(table.c.seq)))
        row = dict(session.execute(select(table).where(table.c.seq == last - 2)).mappings().one())
        row["max_id"] = session.scalar(select(func.max(table.c.id)))
    return row


@pytest.mark.parametrize("column", COLUMNS)
def test_changing_any_column_is_found_and_the_entry_named(
    api, kmar, sessions, cli_verify, column: str
) -> None:
    row = _an_entry_in_the_middle(api, kmar, sessions)
    sound = cli_verify()
    assert sound.exit_code == 0, sound.output
    table = AuditEvent.__table__
    seq, original = row["seq"], row[column]
    new = _changed(column, original, row)
    assert new != original
    with sessions() as session, session.begin():
        session.execute(update(table).where(table.c.seq == seq).values({column: new}))
    where = table.c.seq == (new if column == "seq" else seq)
    try:
        broken = cli_verify()
        assert broken.exit_code == 2, broken.output
        assert re.search(rf"\bentry {seq}\b", broken.output), broken.output
        assert "Traceback" not in broken.output
    finally:
        with sessions() as session, session.begin():
            session.execute(update(table).where(where).values({column: original}))
    assert cli_verify().exit_code == 0


def test_moving_an_entry_to_another_agency_is_found_over_the_api(
    api, kmar, partners, sessions
) -> None:
    """The finding: a changed `owner` moved an entry into another agency's audit view."""
    row = _an_entry_in_the_middle(api, kmar, sessions)
    liec = partners.new(kind="liec")
    table = AuditEvent.__table__
    with sessions() as session, session.begin():
        session.execute(update(table).where(table.c.seq == row["seq"]).values(owner=liec.code))
    try:
        verdict = api.get("/api/v1/audit/verify", headers=kmar.headers).json()
        assert not verdict["ok"] and verdict["first_bad_seq"] == row["seq"]
    finally:
        with sessions() as session, session.begin():
            session.execute(
                update(table).where(table.c.seq == row["seq"]).values(owner=row["owner"])
            )
    assert api.get("/api/v1/audit/verify", headers=kmar.headers).json()["ok"]


HUB = Caller(agency_id=0, agency_code="HUB", client_id="test", scopes=frozenset(), token_id="t")


def test_events_stored_before_the_upgrade_verify_under_their_own_rule(db_factory) -> None:
    db = db_factory("audit_v1")
    migrate(db.url, "0016")
    engine = make_engine(db.url)
    prev = GENESIS
    old_rows = []
    for seq in (1, 2, 3):
        row: dict[str, Any] = {
            "occurred_at": datetime(2026, 11, 1, 9, seq, tzinfo=UTC),
            "agency": "KMAR",
            "client_id": "kmar-app",
            "action": "signal.created",
            "object_type": "signal",
            "object_id": f"sig-{seq}",
            "owner": "KMAR",
            "purpose": None,
            "level": None,
            "covenant_id": None,
            "covenant_version": None,
            "rule_id": None,
            "detail": None,
            "seq": seq,
            "prev_hash": prev,
        }
        row["hash"] = prev = link(prev, row)  # the rule of hub versions before this change
        old_rows.append(row)
    with engine.begin() as conn:
        # Only the columns of that schema: hash_version does not exist yet.
        conn.execute(sa.insert(AuditEvent.__table__), old_rows)
        conn.execute(
            sa.text("UPDATE audit_head SET seq = 3, hash = :hash WHERE id = :id"),
            {"hash": prev, "id": HEAD_ID},
        )
    migrate(db.url)
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        assert audit.verify_trail(session, KeySet([])).ok
        audit.record(session, HUB, "key.rotated", object_type="signing-key", objects=[("k", None)])
    seal_audit(sessions)
    with sessions() as session:
        versions = session.scalars(select(AuditEvent.hash_version).order_by(AuditEvent.seq))
        assert list(versions) == [1, 1, 1, chain.HASH_VERSION]
        assert audit.verify_trail(session, KeySet([])).ok
        # A new event's owner is covered; a version-2 event passed off as version 1 is found.
        for change in ({"owner": "LIEC"}, {"hash_version": 1}, {"id": 99}):
            session.execute(update(AuditEvent).where(AuditEvent.seq == 4).values(change))
            assert audit.verify_trail(session, KeySet([])).verdict.first_bad_seq == 4, change
            session.rollback()
    engine.dispose()
