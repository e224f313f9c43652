"""The types for a point in time or a day that comes in, in a query or a body."""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field

from hub.limits import EARLIEST_YEAR, LATEST_YEAR

_ISO_DATETIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso(pattern: re.Pattern[str], example: str) -> Any:
    # pydantic would read a number (or a numeric string) as seconds since 1970: refused, so
    # that `0.5` is not quietly the first second of 1970.
    def check(value: object) -> object:
        if isinstance(value, str) and not pattern.match(value):
            raise ValueError(f"must be ISO 8601, e.g. {example}")
        if not isinstance(value, str | date):
            raise ValueError(f"must be an ISO 8601 string, e.g. {example}")
        return value

    return BeforeValidator(check)


def _in_range(value: datetime) -> datetime:
    # Checked as written, before conversion: year 1 with +23:59 cannot be converted at all.
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"the year must lie between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value.astimezone(UTC)


# ISO 8601 with an offset (Z or +hh:mm), years 1900-2100; answered in UTC.
Instant = Annotated[
    AwareDatetime,
    _iso(_ISO_DATETIME, "2026-11-20T09:30:00+01:00"),
    Field(
        json_schema_extra={
            "pattern": r"^(19[0-9]{2}|20[0-9]{2}|2100)-.*(Z|z|[+-][0-9]{2}:[0-9]{2})$"
        }
    ),
    AfterValidator(_in_range),
]
# A calendar day, YYYY-MM-DD.
Day = Annotated[date, _iso(_ISO_DATE, "1994-03-02"), Field(json_schema_extra={"format": "date"})]
