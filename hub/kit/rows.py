"""Reading many plain rows: as the driver made them on PostgreSQL, past SQLAlchemy's rows.

For ids, numbers, text, bytes and timestamps (aware, in the database session's zone) psycopg's
tuples are what Python wants already, and SQLAlchemy's rows and result processors around them
were a sixth of a linking step's reads and a seventh of ranking a queue (bench/README.md).
SQLite keeps ids and times as text, which SQLAlchemy's rows turn into UUIDs and datetimes.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session


def plain_rows(session: Session, statement: Any, params: Mapping[str, Any]) -> Iterable[Any]:
    """The rows of `statement` on the session's connection (no autoflush: the caller flushes
    first, if it must): psycopg's tuples on PostgreSQL, SQLAlchemy's rows elsewhere."""
    result = session.connection().execute(statement, params)
    if session.get_bind().dialect.name != "postgresql":
        return result
    try:
        return result.cursor.fetchall()
    finally:
        result.close()
