"""Alembic is the only way a schema is made: upgrade, downgrade, upgrade, and no drift."""

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hub.db import alembic_config, make_engine, migrate
from hub.models import metadata


def test_upgrade_downgrade_upgrade_without_drift(db_factory) -> None:
    db = db_factory("migrations")
    migrate(db.url)
    command.downgrade(alembic_config(db.url), "base")
    engine = make_engine(db.url)
    with engine.connect() as conn:
        left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
    assert left == set()
    migrate(db.url)
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), metadata
        )
    engine.dispose()
    assert set(metadata.tables) <= tables
    assert diff == [], f"models and migrations differ: {diff}"


def test_signal_bindings_move_into_shared_sets_and_back(db_factory) -> None:
    """0004 turns one binding row per (signal, covenant) into one set per combination."""
    db = db_factory("bindings")
    config = alembic_config(db.url)
    command.upgrade(config, "0003")
    engine = make_engine(db.url)
    # How the Uuid type stores a UUID: hex on SQLite, native on PostgreSQL.
    hexed = db.url.startswith("sqlite")
    signals = [f"0000000{i}-0000-0000-0000-000000000000" for i in range(1, 5)]
    signals = [s.replace("-", "") if hexed else s for s in signals]
    old = {
        signals[0]: [("a", 1), ("b", 2)],
        signals[1]: [("b", 2), ("a", 1)],
        signals[2]: [("a", 1)],
    }  # signals[3] is bound to nothing
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO agencies (id, code, name, kind, created_at) "
                "VALUES (1, 'X', 'X', 'police', CURRENT_TIMESTAMP)"
            )
        )
        for cid, version in (("a", 1), ("b", 2)):
            conn.execute(
                sa.text(
                    "INSERT INTO covenant_versions (covenant_id, version, title, valid_from, "
                    "retention_days, document, digest, loaded_at) VALUES (:c, :v, 't', "
                    "'2025-01-01', 30, '{}', 'd', CURRENT_TIMESTAMP)"
                ),
                {"c": cid, "v": version},
            )
        for n, signal_id in enumerate(signals):
            conn.execute(
                sa.text(
                    "INSERT INTO signals (id, agency_id, external_ref, status, version, "
                    "observed_at, created_at, updated_at, created_by, updated_by) VALUES "
                    "(:id, 1, :ref, 'active', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP, 'c', 'c')"
                ),
                {
                    "id": signal_id,
                    "ref": f"r{n}",
                },
            )
        for signal_id, terms in old.items():
            for cid, version in terms:
                conn.execute(
                    sa.text("INSERT INTO signal_covenants VALUES (:s, :c, :v)"),
                    {"s": signal_id, "c": cid, "v": version},
                )  # fmt: skip
    command.upgrade(config, "0004")
    with engine.connect() as conn:
        sets = dict(conn.execute(sa.text("SELECT id, key FROM covenant_bindings")).all())
        bound = [
            sets.get(b)
            for (b,) in conn.execute(
                sa.text("SELECT binding_id FROM signals ORDER BY external_ref")
            )
        ]
    assert bound == ["a@1,b@2", "a@1,b@2", "a@1", None]
    command.downgrade(config, "0003")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*) FROM signal_covenants")).scalar()
    assert rows == 5
    command.upgrade(config, "head")
    with engine.connect() as conn:
        again = conn.execute(sa.text("SELECT count(*) FROM signals WHERE binding_id IS NULL"))
        assert again.scalar() == 1
    engine.dispose()
