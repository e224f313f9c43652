"""ORM models of signals, their barriers, indicators, subjects, identifiers and history."""

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime, now

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
    reliability: Mapped[str | None] = mapped_column(String(1))
    credibility: Mapped[str | None] = mapped_column(String(1))
    summary_key_id: Mapped[str | None] = mapped_column(String(16))
    summary: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(64))


class SignalBarrier(Base):
    __tablename__ = "signal_barriers"

    signal_pk: Mapped[int] = mapped_column(
        ForeignKey("signals.pk", ondelete="CASCADE"), primary_key=True
    )
    barrier: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)


class SignalIndicator(Base):
    __tablename__ = "signal_indicators"

    signal_pk: Mapped[int] = mapped_column(
        ForeignKey("signals.pk", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)


class Subject(Base):
    """One entity in a signal; its normalised form is stored sealed, never in plaintext."""

    __tablename__ = "subjects"

    pk: Mapped[int] = mapped_column(BigPK, primary_key=True)
    signal_pk: Mapped[int] = mapped_column(ForeignKey("signals.pk", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))
    key_id: Mapped[str] = mapped_column(String(16))
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class Identifier(Base):
    """A match key of a subject: sealed normalised value plus its keyed blind-index token."""

    __tablename__ = "identifiers"

    pk: Mapped[int] = mapped_column(BigPK, primary_key=True)
    signal_pk: Mapped[int] = mapped_column(ForeignKey("signals.pk", ondelete="CASCADE"), index=True)
    subject_pk: Mapped[int] = mapped_column(ForeignKey("subjects.pk", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(20))
    key_id: Mapped[str] = mapped_column(String(16))
    value: Mapped[bytes] = mapped_column(LargeBinary)
    token: Mapped[str] = mapped_column(String(64), index=True)


class SignalVersion(Base):
    """The state of a signal before each change, sealed, so corrections keep their history."""

    __tablename__ = "signal_versions"
    __table_args__ = (UniqueConstraint("signal_pk", "version"),)

    pk: Mapped[int] = mapped_column(BigPK, primary_key=True)
    signal_pk: Mapped[int] = mapped_column(ForeignKey("signals.pk", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
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
