"""ORM models: covenant versions as loaded, and which versions each signal was shared under."""

import functools
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, ForeignKeyConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, JSONType, UTCDateTime, now


class CovenantVersion(Base):
    """One version of a covenant document, frozen once loaded: a change needs a new version."""

    __tablename__ = "covenant_versions"

    covenant_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    retention_days: Mapped[int] = mapped_column(Integer)
    # The whole document as loaded, so an auditor can read what was in force.
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)
    digest: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


def binding_key(terms: Iterable[tuple[str, int]]) -> str:
    return ",".join(f"{cid}@{version}" for cid, version in sorted(terms))


@functools.cache
def parse_key(key: str) -> tuple[tuple[str, int], ...]:
    # Cached: a hub has a handful of sets, read with every signal it decides on.
    return tuple((cid, int(version)) for cid, version in (t.rsplit("@", 1) for t in key.split(",")))


class Binding(Base):
    """A set of covenant versions signals were shared under. Signals point at their set, so the
    policy tests one column per row (no per-row look-up), and thousands of signals posted under
    the same covenants share one set. Sets never change once made."""

    __tablename__ = "covenant_bindings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The terms as text ("id@version" sorted, comma-joined): one set per combination.
    key: Mapped[str] = mapped_column(String(2000), unique=True)

    @property
    def terms(self) -> dict[str, int]:
        """{covenant id: version}."""
        return dict(parse_key(self.key))


class BindingTerm(Base):
    """One covenant version in a binding set."""

    __tablename__ = "covenant_binding_terms"
    __table_args__ = (
        ForeignKeyConstraint(
            ["covenant_id", "covenant_version"],
            ["covenant_versions.covenant_id", "covenant_versions.version"],
        ),
    )

    binding_id: Mapped[int] = mapped_column(
        ForeignKey("covenant_bindings.id", ondelete="CASCADE"), primary_key=True
    )
    covenant_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    covenant_version: Mapped[int] = mapped_column(Integer)
