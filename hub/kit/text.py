"""Text that comes in: refused when it hides content (control, bidi, zero-width and
non-characters), normalised to NFC otherwise. One place for every schema to draw on."""

import re
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

# Categories Cc (C0, DEL, C1) and Cs (lone surrogates: they cannot be stored as UTF-8).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# The same, but line breaks and tabs are layout in free text.
_CONTROL_BUT_LAYOUT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Bidi controls reorder what a reader sees; zero-width characters and the BOM make two equal-
# looking names differ; non-characters are not text at all.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(17)
)
_INVISIBLE = re.compile(
    "[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff" + _NONCHARACTERS + "]"
)


def refuse_control(value: object) -> object:
    """Refuse control characters before any stripping could hide them (a BeforeValidator)."""
    if isinstance(value, str) and _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


def refuse_hidden(value: object) -> object:
    """Refuse control, bidi, zero-width and non-characters: for names and identifiers."""
    refuse_control(value)
    if isinstance(value, str) and (found := _INVISIBLE.search(value)):
        raise ValueError(
            f"invisible or reordering character U+{ord(found.group()):04X} is not allowed"
        )
    return value


def _prose(value: str) -> str:
    if _CONTROL_BUT_LAYOUT.search(value):
        raise ValueError("control characters other than line breaks and tabs are not allowed")
    return unicodedata.normalize("NFC", value)


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


# The same rules as JSON Schema patterns (ECMA-262), so that the published contract says them.
LINE_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
NAME_PATTERN = (
    "^[^\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u202a-\\u202e"
    "\\u2060-\\u2064\\u2066-\\u2069\\ufeff\\ufdd0-\\ufdef\\ufffe\\uffff]*$"
)
PROSE_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"


def documented(pattern: str) -> Any:
    """The pattern in the JSON Schema only: the validators above give the better message."""
    return Field(json_schema_extra={"pattern": pattern})


# A name or an identifier: one line, nothing hidden, NFC.
Name = Annotated[
    str, BeforeValidator(refuse_hidden), AfterValidator(_nfc), documented(NAME_PATTERN)
]
# One line of text: no control characters, NFC.
Line = Annotated[
    str, BeforeValidator(refuse_control), AfterValidator(_nfc), documented(LINE_PATTERN)
]
# Free text (a summary, a reason): line breaks and tabs allowed; shown escaped and isolated.
Prose = Annotated[str, AfterValidator(_prose), documented(PROSE_PATTERN)]
