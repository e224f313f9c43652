"""ORM models: covenant versions as loaded, and which versions each signal was shared under."""

import uuid
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


class SignalCovenant(Base):
    """A signal is bound to the covenant versions in force when it was shared."""

    __tablename__ = "signal_covenants"
    __table_args__ = (
        ForeignKeyConstraint(
            ["covenant_id", "covenant_version"],
            ["covenant_versions.covenant_id", "covenant_versions.version"],
        ),
    )

    signal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("signals.id", ondelete="CASCADE"), primary_key=True
    )
    covenant_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    covenant_version: Mapped[int] = mapped_column(Integer)
