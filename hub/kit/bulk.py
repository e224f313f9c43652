"""Bulk inserts: COPY on PostgreSQL, executemany elsewhere. Same rows, same transaction."""

import json
from typing import Any

from sqlalchemy import JSON, insert
from sqlalchemy.orm import DeclarativeBase, Session


def insert_rows(session: Session, model: type[DeclarativeBase], rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) into `model`'s table within the session's
    transaction. On PostgreSQL, COPY streams them in one round trip instead of one execution
    per row, which is what makes batch ingest fast; other databases take executemany."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(model), rows)
        return
    table = model.__table__  # type: ignore[attr-defined]
    columns = list(rows[0])
    names = ", ".join(connection.dialect.identifier_preparer.quote(c) for c in columns)
    sql = f"COPY {connection.dialect.identifier_preparer.format_table(table)} ({names}) FROM STDIN"
    # COPY takes JSON as text; bind parameters would have serialised it for us.
    as_json = [isinstance(table.c[c].type, JSON) for c in columns]
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[c]) if j and row[c] is not None else row[c]
                    for c, j in zip(columns, as_json, strict=True)
                ]
            )
