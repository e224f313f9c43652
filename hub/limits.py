"""Every limit on what a client may send, in one place (the README's "Security: limits" lists
them). Crossing one gets a 400 (or 413 for size) problem naming the field; nothing is stored."""

from datetime import UTC, datetime

# Request bodies: the byte limit is the `max_body_bytes` setting (default 10 MB), applied to a
# declared Content-Length and to a chunked body alike, before the application sees a byte.
# The deepest JSON the API's documents need is 4 levels; 32 leaves room without letting a
# parser recurse into a stack overflow.
MAX_JSON_DEPTH = 32
# Every integer the hub stores fits a signed 64-bit column; fields with smaller columns say so
# in their own schema (e.g. a house number is at most 99,999).
MAX_INTEGER = 2**63 - 1
# Python refuses to parse integers of more than 4,300 digits; far fewer already cross the bound.
MAX_INTEGER_DIGITS = 20
# Times must carry a UTC offset and lie in these years, in UTC and as written.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
EARLIEST = datetime(EARLIEST_YEAR, 1, 1, tzinfo=UTC)
LATEST = datetime(LATEST_YEAR, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
# Free text (a summary, a reason, a comment) may hold line breaks and tabs; nothing else below
# U+0020, no DEL or C1 control, no lone surrogate. Single-line text holds none of them.
LAYOUT_CHARACTERS = frozenset("\n\t\r")
