"""The one type for a point in time that comes in, in a query or a body."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field

from hub.limits import EARLIEST_YEAR, LATEST_YEAR


def _in_range(value: datetime) -> datetime:
    # Checked as written, before conversion: year 1 with +23:59 cannot be converted at all.
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"the year must lie between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value.astimezone(UTC)


# ISO 8601 with an offset (Z or +hh:mm), years 1900-2100; answered in UTC.
Instant = Annotated[
    AwareDatetime,
    Field(
        json_schema_extra={
            "pattern": r"^(19[0-9]{2}|20[0-9]{2}|2100)-.*(Z|z|[+-][0-9]{2}:[0-9]{2})$"
        }
    ),
    AfterValidator(_in_range),
]
