"""A list of values bound as one parameter: an array on PostgreSQL, an expanding IN elsewhere.

An expanding IN renders one placeholder per value, so each call of a statement with a list of
500 ids is new SQL text that the driver parses again (psycopg caches short statements only);
`= ANY(:ids)` is one fixed text. SQLite has no arrays and keeps the IN list.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Boolean, any_, bindparam
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal


class OneOf(ColumnElement[bool]):
    """`column` equals one of the values given at execution as the parameter `name`."""

    type = Boolean()
    inherit_cache = True
    # A comparison, not a boolean value: no "= 1" appended where booleans are integers.
    _is_implicitly_boolean = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        self.column = column
        self.name = name


def one_of(column: Any, name: str = "ids") -> OneOf:
    """`column IN (:name...)`, or `column = ANY(:name)` on PostgreSQL; bind a list to `name`."""
    return OneOf(column, name)


@compiles(OneOf)
def _expanding(element: OneOf, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw)


@compiles(OneOf, "postgresql")
def _array(element: OneOf, compiler: Any, **kw: Any) -> str:
    values = bindparam(element.name, type_=postgresql.ARRAY(element.column.type))
    return compiler.process(element.column == any_(values), **kw)


def values_of(
    session: Session, column: ColumnElement[Any], values: Sequence[Any]
) -> ColumnElement[bool]:
    """`column IN values` with the values bound now (for a statement built per call), as one
    array parameter on PostgreSQL: a list of thousands would otherwise be statement text of its
    own, rendered and parsed again on every call. `one_of` is for statements built once."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(column.type)))
    return column.in_(values)
