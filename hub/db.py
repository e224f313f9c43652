"""Engine, ORM base, session-per-request and the migration entry point."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event, make_url
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from hub.paths import document_dir

# Stable constraint names, so Alembic can drop and compare them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone, so we store naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def _create_private_file(url: str) -> None:
    """Create an SQLite file owner-only; SQLite gives its -wal and -shm files the same mode."""
    database = make_url(url).database
    if database and database != ":memory:" and not os.path.exists(database):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the pragmas SQLite needs to behave like a server database."""
    # Bound parameters hold tokens, ciphertexts and references: keep them out of error text
    # and therefore out of every traceback that reaches a log.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        _create_private_file(url)
        # The driver's own transaction handling is off (isolation_level None) so that every
        # transaction can begin IMMEDIATE: a transaction that read first and writes later would
        # otherwise fail at once ("database is locked") when another writer committed in
        # between, busy timeout or not. The hub's requests nearly all write (the audit trail),
        # and the linking worker writes beside them.
        engine = create_engine(url, connect_args={"timeout": 30, "isolation_level": None}, **kwargs)

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    # No pool_pre_ping: a ping per checkout was a third of a single POST's cost. A connection
    # broken by a database restart fails one request, and SQLAlchemy then invalidates the pool.
    engine = create_engine(url, pool_size=20, max_overflow=10, pool_recycle=1800, **kwargs)

    @event.listens_for(engine, "connect")
    def _no_jit(dbapi_conn: Any, _record: Any) -> None:
        # The hub's queries are short; PostgreSQL's JIT compiler took 371 of 440 ms of a review
        # queue read once ANALYZE had raised its cost estimate past the JIT threshold.
        with dbapi_conn.cursor() as cur:
            cur.execute("SET SESSION jit = off")
        dbapi_conn.commit()

    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with sessions() as session, session.begin():
        yield session


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def alembic_config(url: str) -> Any:
    """An Alembic config aimed at `url`, wherever the project is installed."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(document_dir("migrations")))
    cfg.attributes["url"] = url
    return cfg


def migrate(url: str, revision: str = "head") -> None:
    """Upgrade the database at `url` to `revision` (the only way the hub makes a schema)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
