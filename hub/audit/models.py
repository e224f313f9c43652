"""ORM model of an audit event (append-only)."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, JSONType, UTCDateTime, now


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, index=True)
    agency: Mapped[str] = mapped_column(String(32), index=True)
    client_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # Whose object it is (the source agency of a signal), so each agency can read what
    # happened to its own data.
    owner: Mapped[str | None] = mapped_column(String(32), index=True)
    purpose: Mapped[str | None] = mapped_column(String(40))
    # For a disclosure: what allowed it (absent for the source reading its own signal).
    level: Mapped[str | None] = mapped_column(String(16))
    covenant_id: Mapped[str | None] = mapped_column(String(80))
    covenant_version: Mapped[int | None] = mapped_column(Integer)
    rule_id: Mapped[str | None] = mapped_column(String(80))
    # Never identifiers or narrative text: counts, versions, field names only.
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # The hash chain: each entry holds the hash of the one before (see hub/audit/chain.py).
    # NULL until the sequencer (hub/audit/sequencer.py) has sealed the event into the chain.
    seq: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), unique=True
    )
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    # Which fields the hash covers (hub/audit/chain.py): 1 for events stored before every
    # column was covered, 2 since.
    hash_version: Mapped[int] = mapped_column(SmallInteger, server_default="1")

    __table_args__ = (
        # The sequencer's work list: small, as events leave it within seconds.
        Index(
            "ix_audit_events_unsealed",
            "id",
            postgresql_where=text("seq IS NULL"),
            sqlite_where=text("seq IS NULL"),
        ),
    )


HEAD_ID = 1  # the single row of audit_head, made by the migration


class AuditHead(Base):
    """The newest link of the chain (one row). Only the sequencer writes it, never a request."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A head of the chain signed by the hub: `token` is a JWS over (seq, hash, time), so a
    rewrite of the chain up to `seq` is evident even to someone who can write the database."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), index=True)
    hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    token: Mapped[str] = mapped_column(String(4000))
