"""Bulk inserts give the same rows on every path: COPY (PostgreSQL, many rows) and executemany."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select

from hub.audit.models import AuditEvent
from hub.kit.bulk import COPY_THRESHOLD, insert_rows


@pytest.mark.parametrize("count", [1, COPY_THRESHOLD + 5])
def test_rows_round_trip_with_json_nulls_and_times(sessions, count: int) -> None:
    marker = f"bulk-{uuid.uuid4().hex[:8]}"
    at = datetime(2026, 11, 20, 8, 30, 0, 123456, tzinfo=UTC)
    # Rows written past the chain (negative seq), only to round-trip values; deleted below.
    base = -uuid.uuid4().int % 10**12 - 10**12
    rows = [
        {
            "seq": base - i,
            "prev_hash": "0" * 64,
            "hash": "f" * 64,
            "level": None,
            "covenant_id": None,
            "covenant_version": None,
            "rule_id": None,
            "occurred_at": at,
            "agency": marker,
            "client_id": None,
            "action": "test.bulk",
            "object_type": "test",
            "object_id": str(i),
            "purpose": None,
            "detail": {"n": i, "quote": 'say "hi"\t\\', "nested": [1, None]} if i % 2 else None,
        }
        for i in range(count)
    ]
    with sessions() as session, session.begin():
        insert_rows(session, AuditEvent, rows)
    with sessions() as session, session.begin():
        stored = session.scalars(
            select(AuditEvent).where(AuditEvent.agency == marker).order_by(AuditEvent.id)
        ).all()
        got = [(e.object_id, e.detail, e.occurred_at, e.client_id) for e in stored]
        session.execute(delete(AuditEvent).where(AuditEvent.agency == marker))
    assert got == [(r["object_id"], r["detail"], at, None) for r in rows]


def test_insert_unless_exists_tells_whether_the_row_went_in(sessions) -> None:
    from hub.agencies.models import Agency
    from hub.kit.bulk import insert_unless_exists

    code = f"B{uuid.uuid4().hex[:8].upper()}"
    row = {
        "code": code,
        "name": "x",
        "kind": "other",
        "region": None,
        "created_at": datetime.now(UTC),
    }
    with sessions() as session, session.begin():
        assert insert_unless_exists(session, Agency, row, unique=("code",)) is True
        assert insert_unless_exists(session, Agency, row | {"name": "y"}, unique=("code",)) is False
        names = session.scalars(select(Agency.name).where(Agency.code == code)).all()
        session.execute(delete(Agency).where(Agency.code == code))
    assert names == ["x"]
