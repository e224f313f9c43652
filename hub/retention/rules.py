"""The retention rules of the WGS (art. 1.8(7)) as plain values and date arithmetic: no database.

Data processed under the WGS is kept at most five years after it was first processed; only a
recorded decision (an extension) keeps it longer, and the hub allows that for a bounded term.
"""

from datetime import datetime, timedelta

# Five years as days: 5 x 365 is never more than five calendar years (any five years hold a
# leap day), so counting in days is the stricter reading by a day or two.
WGS_CAP_DAYS = 5 * 365
# The most an extension may add past the cap, counted from the same first processing: all
# extensions of a signal together end at most ten years (2 x 1825 days) after it.
MAX_EXTENSION_DAYS = 5 * 365

# The rules a purge names for each signal it removes, in the order it tells them apart.
RULES = ("extension-ended", "covenant-retention", "hub-default", "wgs-cap")


def first_processed(created_at: datetime, observed_at: datetime | None) -> datetime:
    """The earliest processing the hub knows of: its receipt, or the source's observation if
    that came first (the stricter reading of "first processed")."""
    if observed_at is not None and observed_at < created_at:
        return observed_at
    return created_at


def cap_ends(first: datetime, cap_days: int = WGS_CAP_DAYS) -> datetime:
    """When the cap ends for data first processed at `first`."""
    return first + timedelta(days=cap_days)


def latest_extension(first: datetime, cap_days: int = WGS_CAP_DAYS) -> datetime:
    """The latest end an extension may have for data first processed at `first`."""
    return first + timedelta(days=cap_days + MAX_EXTENSION_DAYS)
