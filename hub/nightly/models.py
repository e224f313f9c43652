"""ORM models of the nightly run log and of the SQLite lease that keeps runs apart."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, JSONType, UTCDateTime

RUN_STATUSES = ("running", "succeeded", "failed", "interrupted")


class NightlyRun(Base):
    """One row per step of a run, plus a `run` row for the run as a whole."""

    __tablename__ = "nightly_runs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('running', 'succeeded', 'failed', 'interrupted')", name="status"
        ),
        Index("ix_nightly_runs_report_date", "report_date"),
        Index("ix_nightly_runs_run_id", "run_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(String(32))
    report_date: Mapped[date] = mapped_column(Date)
    step: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    trigger: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seconds: Mapped[float | None] = mapped_column(Float)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # The exception's class only: its message may quote data.
    error: Mapped[str | None] = mapped_column(String(200))


class NightlyLease(Base):
    """The lease a run holds on SQLite (PostgreSQL uses an advisory lock instead)."""

    __tablename__ = "nightly_lease"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
