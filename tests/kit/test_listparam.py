"""A list bound as one parameter: one fixed SQL text on PostgreSQL, an IN list elsewhere."""

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from hub.kit.listparam import array_literal, one_of

_T = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
_STATEMENT = sa.select(_T.c.id).where(one_of(_T.c.id)).order_by(_T.c.id)


def test_postgresql_binds_one_array_whatever_the_list_length():
    text = str(_STATEMENT.compile(dialect=postgresql.psycopg.dialect()))
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


def test_postgresql_sends_ids_numbers_and_strings_as_one_array_literal() -> None:
    text = str(_STATEMENT.compile(dialect=postgresql.psycopg.dialect()))
    # The same typed parameter as psycopg's own array; only its text is made in the hub.
    assert "= ANY (%(ids)s::INTEGER[])" in text
    one = uuid.UUID(int=1)
    assert array_literal([one, None], of_ids=True) == "{00000000000000000000000000000001,NULL}"
    # Into any other array an id goes as text compares it: with its dashes.
    assert array_literal([one]) == "{00000000-0000-0000-0000-000000000001}"
    assert array_literal(["a,b", 'say "hi"\\', "NULL", ""]) == (
        '{"a,b","say \\"hi\\"\\\\","NULL",""}'
    )
    with pytest.raises(TypeError):
        array_literal([True])


_ROWS = sa.Table(
    "listparam_rows",
    sa.MetaData(),
    sa.Column("n", sa.Integer, primary_key=True),
    sa.Column("id", sa.Uuid, nullable=False),
    sa.Column("word", sa.String(200), nullable=False),
)
# Text PostgreSQL can store: anything but NUL; surrogates are not text at all.
_WORDS = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)


@pytest.fixture(scope="module")
def rows_engine(db_factory) -> Iterator[sa.Engine]:  # type: ignore[no-untyped-def]
    """A throw-away table on the backend under test."""
    engine = sa.create_engine(db_factory("listparam").url)
    _ROWS.create(engine)
    yield engine
    engine.dispose()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(words=st.lists(_WORDS, min_size=1, max_size=8, unique=True), pick=st.data())
def test_a_list_selects_exactly_its_rows_whatever_the_values_hold(
    rows_engine: sa.Engine, words: list[str], pick: st.DataObject
) -> None:
    stored = [{"n": n, "id": uuid.uuid4(), "word": w} for n, w in enumerate(words)]
    wanted = pick.draw(st.lists(st.sampled_from(stored), unique_by=lambda r: r["n"]))
    # Values no row holds: near misses of stored words, and a fresh id.
    strangers = [w + "\\" for w in words] + ['"' + w for w in words]
    with rows_engine.begin() as conn:
        conn.execute(_ROWS.delete())
        conn.execute(_ROWS.insert(), stored)
        by_word = sa.select(_ROWS.c.n).where(one_of(_ROWS.c.word, "words")).order_by(_ROWS.c.n)
        by_id = sa.select(_ROWS.c.n).where(one_of(_ROWS.c.id)).order_by(_ROWS.c.n)
        by_n = sa.select(_ROWS.c.n).where(one_of(_ROWS.c.n, "ns")).order_by(_ROWS.c.n)
        expected = sorted(r["n"] for r in wanted)
        words_given = [r["word"] for r in wanted] + [s for s in strangers if s not in words]
        assert conn.scalars(by_word, {"words": words_given}).all() == expected
        assert conn.scalars(by_id, {"ids": [r["id"] for r in wanted] + [uuid.uuid4()]}).all() == (
            expected
        )
        assert conn.scalars(by_n, {"ns": [r["n"] for r in wanted] + [-1]}).all() == expected
