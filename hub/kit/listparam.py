"""A list of values bound as one parameter: an array on PostgreSQL, an expanding IN elsewhere.

An expanding IN renders one placeholder per value, so each call of a statement with a list of
500 ids is new SQL text that the driver parses again (psycopg caches short statements only);
`= ANY(:ids)` is one fixed text. SQLite has no arrays and keeps the IN list.

On PostgreSQL a list of ids, numbers or strings goes as one array literal in text, typed by
the statement's cast: psycopg dumps a list value by value, about 3 µs each, which was a tenth
of a linking step's CPU (bench/README.md); the literal is built in a fifth of that.
"""

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Boolean, Integer, String, Uuid, any_, bindparam
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.type_api import TypeEngine
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator

# Element types whose values array_literal writes; other lists go to the driver as they are.
_LITERAL_TYPES = (Uuid, Integer, String)


def array_literal(values: Iterable[Any], *, of_ids: bool = False) -> str:
    """PostgreSQL's text form of an array of ids, integers or strings (None as NULL). `of_ids`:
    for a uuid[] array, whose input takes an id's 32 hex digits (a third of writing it with
    dashes, which any other array needs: text compares as written)."""
    return "{" + ",".join(map(_id_element if of_ids else _element, values)) + "}"


def _id_element(value: Any) -> str:
    return value.hex if isinstance(value, uuid.UUID) else _element(value)


def _element(value: Any) -> str:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        # Quoted, so commas, braces, blanks and the word NULL stay text.
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value is None:
        return "NULL"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"no array literal for {type(value).__name__}")


class _ArrayText(TypeDecorator[Any]):
    """A list bound as its array literal (array_literal), in a parameter the statement casts
    to the array type: the server sees the same typed parameter as when psycopg dumps it."""

    impl = postgresql.ARRAY
    cache_ok = True

    def bind_processor(self, dialect: Any) -> Any:
        of_ids = isinstance(self.impl.item_type, Uuid)
        return lambda value: None if value is None else array_literal(value, of_ids=of_ids)


def array_param(name: str, element: TypeEngine[Any]) -> ColumnElement[Any]:
    """PostgreSQL: the parameter `name`, a list, as an array of `element` (see array_literal)."""
    if isinstance(element, _LITERAL_TYPES):
        return bindparam(name, type_=_ArrayText(element))
    return bindparam(name, type_=postgresql.ARRAY(element))


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
    values = array_param(element.name, element.column.type)
    return compiler.process(element.column == any_(values), **kw)


def values_of(
    session: Session, column: ColumnElement[Any], values: Sequence[Any]
) -> ColumnElement[bool]:
    """`column IN values` with the values bound now (for a statement built per call), as one
    array parameter on PostgreSQL: a list of thousands would otherwise be statement text of its
    own, rendered and parsed again on every call. `one_of` is for statements built once."""
    if session.get_bind().dialect.name == "postgresql":
        if isinstance(column.type, _LITERAL_TYPES):
            return column == any_(bindparam(None, list(values), type_=_ArrayText(column.type)))
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(column.type)))
    return column.in_(values)
