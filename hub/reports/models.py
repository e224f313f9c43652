"""ORM model of a stored trend report: one row per report date, with all its renditions."""

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_date: Mapped[date] = mapped_column(Date, unique=True)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    schema_version: Mapped[str] = mapped_column(String(16))
    # Stored as the exact text served (JSONB would reorder the keys).
    json_text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    csv: Mapped[str] = mapped_column(Text)
