"""Bulk inserts give the same rows on every path: COPY (PostgreSQL, many rows) and executemany."""

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from hub.audit.models import AuditEvent
from hub.kit.bulk import COPY_THRESHOLD, MANY_THRESHOLD, insert_many, insert_rows


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


def _covenant_set(marker: str, binding_id: int, terms: int) -> list[tuple[type, list[dict]]]:
    """Covenant versions, a binding set and its terms: the terms refer to both others."""
    from hub.covenants.models import Binding, BindingTerm, CovenantVersion

    versions = [
        {
            "covenant_id": f"{marker}-{i}",
            "version": 1,
            "title": "t",
            "valid_from": date(2026, 1, 1),
            "valid_until": None,
            "withdrawn_on": None,
            "retention_days": 30,
            "document": {"n": i, "quote": 'say "hi"'},
            "digest": "0" * 64,
            "loaded_at": datetime.now(UTC),
        }
        for i in range(terms)
    ]
    return [
        (CovenantVersion, versions),
        (Binding, [{"id": binding_id, "key": marker}]),
        (
            BindingTerm,
            [
                {"binding_id": binding_id, "covenant_id": v["covenant_id"], "covenant_version": 1}
                for v in versions
            ],
        ),
    ]


def _drop_covenant_set(session, marker: str, binding_id: int) -> None:
    from hub.covenants.models import Binding, BindingTerm, CovenantVersion

    session.execute(delete(BindingTerm).where(BindingTerm.binding_id == binding_id))
    session.execute(delete(Binding).where(Binding.id == binding_id))
    session.execute(delete(CovenantVersion).where(CovenantVersion.covenant_id.like(f"{marker}-%")))


@pytest.mark.parametrize("terms", [2, MANY_THRESHOLD + 1])
def test_insert_many_stores_every_table_children_beside_their_parents(sessions, terms) -> None:
    """A few rows of several tables go in one statement on PostgreSQL: foreign keys to rows of
    the same call hold, and every row lands as `insert_rows` would store it."""
    from hub.covenants.models import BindingTerm, CovenantVersion

    marker = f"bulk-{uuid.uuid4().hex[:8]}"
    binding_id = 10**9 + uuid.uuid4().int % 10**8
    parts = _covenant_set(marker, binding_id, terms)
    with sessions() as session, session.begin():
        # An empty table's rows are left out.
        insert_many(session, [*parts, (AuditEvent, [])])
    with sessions() as session, session.begin():
        documents = session.scalars(
            select(CovenantVersion.document)
            .where(CovenantVersion.covenant_id.like(f"{marker}-%"))
            .order_by(CovenantVersion.covenant_id)
        ).all()
        stored = session.scalars(
            select(BindingTerm.covenant_id).where(BindingTerm.binding_id == binding_id)
        ).all()
        _drop_covenant_set(session, marker, binding_id)
    assert sorted(documents, key=lambda d: str(d["n"])) == sorted(
        (v["document"] for v in parts[0][1]), key=lambda d: str(d["n"])
    )
    assert sorted(stored) == sorted(t["covenant_id"] for t in parts[2][1])


@pytest.mark.parametrize("terms", [1, MANY_THRESHOLD + 1])
def test_a_refused_row_is_the_databases_integrity_error_and_stores_nothing(sessions, terms) -> None:
    """Rows sent to the driver itself fail as SQLAlchemy's IntegrityError, as Core's would
    (the batch path catches it to fall back to one savepoint per item), and nothing stays."""
    from hub.covenants.models import Binding, BindingTerm

    marker = f"bulk-{uuid.uuid4().hex[:8]}"
    binding_id = 10**9 + uuid.uuid4().int % 10**8
    parts = _covenant_set(marker, binding_id, terms)
    twice = [parts[0], parts[1], (BindingTerm, parts[2][1] * 2)]  # a term twice: its key breaks
    with pytest.raises(IntegrityError), sessions() as session, session.begin():
        insert_many(session, twice)
    with pytest.raises(IntegrityError), sessions() as session, session.begin():
        insert_many(session, parts[:2])
        insert_rows(session, BindingTerm, parts[2][1] * 2)
    with sessions() as session:
        assert session.scalar(select(Binding.id).where(Binding.key == marker)) is None
