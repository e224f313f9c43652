"""A list bound as one parameter: one fixed SQL text on PostgreSQL, an IN list elsewhere."""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from hub.kit.listparam import one_of

_T = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
_STATEMENT = sa.select(_T.c.id).where(one_of(_T.c.id)).order_by(_T.c.id)


def test_postgresql_binds_one_array_whatever_the_list_length():
    text = str(_STATEMENT.compile(dialect=postgresql.psycopg.dialect()))
    assert "= ANY (%(ids)s::INTEGER[])" in text
    assert "POSTCOMPILE" not in text


def test_sqlite_selects_the_listed_rows_without_a_boolean_comparison():
    text = str(_STATEMENT.compile(dialect=sqlite.dialect()))
    assert "IN (__[POSTCOMPILE_ids])" in text and "= 1" not in text
    engine = sa.create_engine("sqlite://")
    with engine.begin() as conn:
        _T.create(conn)
        conn.execute(_T.insert(), [{"id": i} for i in range(10)])
        assert conn.scalars(_STATEMENT, {"ids": [2, 3, 7, 42]}).all() == [2, 3, 7]
        assert conn.scalars(_STATEMENT, {"ids": []}).all() == []
