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
