"""Reading many plain rows: as the driver made them on PostgreSQL, past SQLAlchemy's rows."""

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session


def plain_rows(session: Session, statement: Any, params: Mapping[str, Any]) -> Iterable[Any]:
    """The rows of `statement`, on the session's connection (so the caller flushes first, if
    it must). On PostgreSQL as psycopg made them (tuples): for ids, numbers, text, bytes and
    timestamps (aware, in the session's time zone) they are what Python wants already, and
    SQLAlchemy's rows and result processors around them were a sixth of a linking step's reads
    and a fifth of ranking a queue (bench/README.md). SQLite keeps ids and times as text, which
    SQLAlchemy's rows turn into UUIDs and datetimes."""
    result = session.connection().execute(statement, params)
    if session.get_bind().dialect.name != "postgresql":
        return result
    try:
        return result.cursor.fetchall()
    finally:
        result.close()
