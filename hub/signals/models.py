"""ORM models of signals, their barriers, indicators, subjects, identifiers and history."""

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, UTCDateTime, now

if TYPE_CHECKING:
    from hub.covenants.models import Binding

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets room for national volumes.
BigPK = BigInteger().with_variant(Integer, "sqlite")

SIGNAL_STATUSES = ("active", "retracted")


class Signal(Base):
    __tablename__ = "signals"
    __table_args__ = (
        UniqueConstraint("agency_id", "external_ref"),
        CheckConstraint("status IN ('active', 'retracted')", name="status"),
        CheckConstraint("version >= 1", name="version"),
        Index("ix_signals_updated_at_pk", "updated_at", "pk"),
        # Whether a carrier is active, from the index alone (see ix_identifiers_token_carriers);
        # and the columns the policy's SQL form tests, for its probes per proposal member
        # (migration 0026).
        Index(
            "ix_signals_id_status",
            "id",
            "status",
            postgresql_include=["agency_id", "region", "binding_id"],
        ),
        # The few retracted signals: "not retracted" is a probe into this small index, where
        # "active" was one into the whole of ix_signals_id_status per carrier (migration 0016).
        Index(
            "ix_signals_retracted",
            "id",
            postgresql_where=text("status = 'retracted'"),
            sqlite_where=text("status = 'retracted'"),
        ),
    )

    # The integer key orders pages stably and keeps join indexes small; `id` is the public name.
    pk: Mapped[int] = mapped_column(BigPK, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid(), unique=True, default=uuid.uuid4)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    external_ref: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")
    version: Mapped[int] = mapped_column(Integer, default=1)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    municipality: Mapped[str | None] = mapped_column(String(6), index=True)
    region: Mapped[str | None] = mapped_column(String(40), index=True)
    # The covenant versions in force when it was shared (none: only its source may see it).
    binding_id: Mapped[int | None] = mapped_column(ForeignKey("covenant_bindings.id"))
    # Joined in the same query: the policy needs the set with every signal it decides on.
    binding: Mapped["Binding | None"] = relationship(lazy="joined")
    reliability: Mapped[str | None] = mapped_column(String(1))
    credibility: Mapped[str | None] = mapped_column(String(1))
    summary_key_id: Mapped[str | None] = mapped_column(String(16))
    summary: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(64))


# Parts reference a signal by its public UUID, which the hub makes before inserting: no insert
# ever needs a generated key back, so batches go out as plain executemany (pipelined).
def _signal_fk() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey("signals.id", ondelete="CASCADE"), primary_key=True)


class SignalBarrier(Base):
    __tablename__ = "signal_barriers"

    signal_id: Mapped[uuid.UUID] = _signal_fk()
    barrier: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)


class SignalIndicator(Base):
    __tablename__ = "signal_indicators"

    signal_id: Mapped[uuid.UUID] = _signal_fk()
    code: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)


class Subject(Base):
    """One entity in a signal; its normalised form is stored sealed, never in plaintext."""

    __tablename__ = "subjects"

    signal_id: Mapped[uuid.UUID] = _signal_fk()
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
    key_id: Mapped[str] = mapped_column(String(16))
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class Identifier(Base):
    """A match key of a subject: sealed normalised value plus its keyed blind-index token."""

    __tablename__ = "identifiers"
    __table_args__ = (
        ForeignKeyConstraint(
            ["signal_id", "subject_position"],
            ["subjects.signal_id", "subjects.position"],
            ondelete="CASCADE",
        ),
        # Who carries a token, read from the index alone: linking reads a birth-date block's
        # hundred-odd carriers for every new signal, and a heap fetch for each was most of it.
        Index("ix_identifiers_token_carriers", "token", "type", "signal_id", "subject_position"),
        # A birth-date block with its members' sealed persons, in one index range: linking
        # compares them for every new person, and reading each from the table was the tail.
        Index(
            "ix_identifiers_blocks",
            "token",
            "signal_id",
            "subject_position",
            postgresql_include=["key_id", "value"],
            postgresql_where=text("type = 'person-dob'"),
            sqlite_where=text("type = 'person-dob'"),
        ),
    )

    signal_id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    subject_position: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(20), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16))
    value: Mapped[bytes] = mapped_column(LargeBinary)
    token: Mapped[str] = mapped_column(String(64))


class SignalVersion(Base):
    """The state of a signal before each change, sealed, so corrections keep their history."""

    __tablename__ = "signal_versions"

    signal_id: Mapped[uuid.UUID] = _signal_fk()
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    change: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    changed_by: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    snapshot: Mapped[bytes] = mapped_column(LargeBinary)


class IdempotencyRecord(Base):
    """The first result of a POST made under an Idempotency-Key, to answer retries alike."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("agency_id", "key"),)

    pk: Mapped[int] = mapped_column(BigPK, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    signal_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    status_code: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, index=True)
