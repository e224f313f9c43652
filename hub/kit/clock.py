"""Today's date, for covenant validity: one place, so every decision uses the same day."""

from datetime import UTC, date, datetime


def today() -> date:
    """The current date in UTC (covenant validity dates are whole days)."""
    return datetime.now(UTC).date()
