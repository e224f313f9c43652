"""The upload file's columns, how a row becomes a signal, and the per-barrier templates."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

# Rows hold Dutch local times; the API wants an offset, which a spreadsheet rarely has.
LOCAL = ZoneInfo("Europe/Amsterdam")
SEPARATOR = ";"
# Columns the errors file adds; ignored on input, so a corrected errors file can be uploaded.
ERROR_COLUMNS = ("row", "reason")

SIGNAL_COLUMNS = (
    "external_ref",
    "barriers",
    "indicators",
    "observed_at",
    "municipality",
    "summary",
    "reliability",
    "credibility",
)
# Subject type -> {column: field of that subject}. A column may hold several values separated
# by ';': the n-th values of a type's columns together make its n-th subject.
SUBJECT_COLUMNS: dict[str, dict[str, str]] = {
    "person": {
        "person_name": "name",
        "person_birth_date": "birth_date",
        "person_nationality": "nationality",
        "person_bsn": "bsn",
        "person_role": "role",
    },
    "address": {
        "address_street": "street",
        "address_house_number": "house_number",
        "address_addition": "addition",
        "address_postcode": "postcode",
        "address_city": "city",
        "address_country": "country",
    },
    "company": {"company_name": "name", "company_kvk": "kvk_number"},
    "iban": {"iban": "number"},
    "phone": {"phone": "number"},
    "email": {"email": "address"},
    "website": {"website": "url"},
    "vehicle": {"vehicle_plate": "plate", "vehicle_country": "country"},
    "document": {
        "document_kind": "kind",
        "document_number": "number",
        "document_country": "issuing_country",
    },
}
COLUMNS = SIGNAL_COLUMNS + tuple(c for group in SUBJECT_COLUMNS.values() for c in group)
LIST_COLUMNS = ("barriers", "indicators")
DATE_FIELDS = {"person_birth_date"}
INTEGER_FIELDS = {"address_house_number"}


class RowError(ValueError):
    """A row that cannot become a signal; the message names columns, never values."""


@dataclass
class Mapped:
    """A row as the API's signal document, and which column each subject field came from."""

    document: dict[str, Any]
    columns: dict[str, str] = field(default_factory=dict)  # JSON pointer prefix -> column

    def column_of(self, pointer: str) -> str:
        """The column a problem's pointer (e.g. `/subjects/1/number`) refers to."""
        parts = pointer.strip("/").split("/")
        if parts[:1] == ["subjects"] and len(parts) >= 3:
            return self.columns.get(f"/subjects/{parts[1]}/{parts[2]}", "subjects")
        if parts[:1] == ["subjects"] and len(parts) == 2:
            return self.columns.get(f"/subjects/{parts[1]}", "subjects")
        return parts[0] if parts and parts[0] else "row"


def unknown_columns(header: list[str]) -> list[str]:
    """Columns the upload does not know (most often a typo), to refuse the file up front."""
    known = set(COLUMNS) | set(ERROR_COLUMNS)
    return [name for name in header if name and name not in known]


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(SEPARATOR)]


def parse_day(value: str, column: str) -> date:
    """A date as YYYY-MM-DD or DD-MM-YYYY (the Dutch way of writing it)."""
    text = value.strip()
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise RowError(f"{column}: not a date (write YYYY-MM-DD or DD-MM-YYYY)")


def parse_instant(value: str, column: str) -> str:
    """An ISO time with offset, a local date and time, or a date alone (read as noon, Dutch
    time, so that it stays on the same day in UTC)."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.combine(parse_day(text, column), time(12))
        except RowError:
            raise RowError(
                f"{column}: not a date or time (write e.g. 2026-11-20 or 2026-11-20 09:30)"
            ) from None
    if len(text) == 10 and moment.time() == time(0):  # a date alone, in ISO form
        moment = moment.replace(hour=12)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL)
    return moment.isoformat()


def _value(column: str, text: str) -> Any:
    if column in DATE_FIELDS:
        return parse_day(text, column).isoformat()
    if column in INTEGER_FIELDS:
        if not re.fullmatch(r"[0-9]{1,5}", text):
            raise RowError(f"{column}: not a whole number (put an addition in address_addition)")
        return int(text)
    return text


def _subjects(row: dict[str, str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    subjects: list[dict[str, Any]] = []
    columns: dict[str, str] = {}
    for kind, fields in SUBJECT_COLUMNS.items():
        values = {c: _split(row[c]) for c in fields if row.get(c)}
        if not values:
            continue
        counts = {len(v) for v in values.values()}
        if len(counts) > 1:
            names = ", ".join(sorted(values))
            raise RowError(f"{names}: hold different numbers of ';'-separated values")
        for n in range(counts.pop()):
            subject: dict[str, Any] = {"type": kind}
            index = len(subjects)
            for column, parts in values.items():
                if parts[n]:
                    subject[fields[column]] = _value(column, parts[n])
                    columns[f"/subjects/{index}/{fields[column]}"] = column
            if len(subject) > 1:
                columns[f"/subjects/{index}"] = next(iter(values))
                subjects.append(subject)
    return subjects, columns


def map_row(row: dict[str, str]) -> Mapped:
    """A spreadsheet row (column -> text, empty cells left out) as a signal document."""
    document: dict[str, Any] = {}
    for column in SIGNAL_COLUMNS:
        text = row.get(column)
        if not text:
            continue
        if column in LIST_COLUMNS:
            document[column] = [part for part in _split(text) if part]
        elif column == "observed_at":
            document[column] = parse_instant(text, column)
        else:
            document[column] = text
    if "barriers" not in document and document.get("indicators"):
        # An indicator's code starts with its barrier's: a partner may leave barriers out.
        barriers = dict.fromkeys(i.split(".", 1)[0] for i in document["indicators"])
        document["barriers"] = list(barriers)
    subjects, columns = _subjects(row)
    if subjects:
        document["subjects"] = subjects
    return Mapped(document, columns)


def content_ref(document: dict[str, Any], occurrence: int) -> str:
    """An external_ref from the signal's content: the same row uploaded again (from any copy
    of the file, in any column order or format) gets the same ref, so the hub stores it once.
    `occurrence` tells identical rows in one file apart."""
    content = {k: v for k, v in document.items() if k != "external_ref"}
    canonical = json.dumps([content, occurrence], sort_keys=True, ensure_ascii=False)
    return "upload-" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


# One example row per barrier: synthetic people, companies and numbers only.
_COMMON = {"municipality": "GM0363", "reliability": "B", "credibility": "2"}
EXAMPLES: dict[str, dict[str, str]] = {
    "employment": _COMMON
    | {
        "indicators": "employment.wages-below-minimum;employment.excessive-hours",
        "observed_at": "2026-10-12",
        "summary": "Inspection at a greenhouse: six workers paid well below the minimum wage.",
        "person_name": "Ion Popescu;Maria Ionescu",
        "person_birth_date": "1994-03-02;1990-07-15",
        "person_nationality": "RO;RO",
        "person_role": "victim;victim",
        "company_name": "Flex Uitzend B.V.",
        "company_kvk": "12345678",
    },
    "accommodation": _COMMON
    | {
        "indicators": "accommodation.overcrowded-address;accommodation.employer-provided-housing",
        "observed_at": "2026-10-13 14:30",
        "summary": "Fourteen people registered at one single-family house rented by an employer.",
        "address_postcode": "1012 AB",
        "address_house_number": "12",
        "address_city": "Amsterdam",
        "company_name": "Flex Uitzend B.V.",
    },
    "entry": _COMMON
    | {
        "indicators": "entry.travel-paid-by-third-party;entry.accompanied-by-guide",
        "observed_at": "2026-10-14",
        "summary": "Traveller at the airport whose ticket was paid by a recruiter met on arrival.",
        "person_name": "Ana Petrova",
        "person_birth_date": "2001-05-20",
        "person_nationality": "BG",
        "person_role": "victim",
        "phone": "+359 88 123 4567",
        "document_kind": "passport",
        "document_number": "AB1234567",
        "document_country": "BG",
    },
    "finance": _COMMON
    | {
        "indicators": "finance.many-workers-one-account;finance.wages-to-third-party-account",
        "observed_at": "2026-10-15",
        "summary": "Wages of eleven workers paid into one account held by a middleman.",
        "person_name": "Marek Nowak",
        "person_role": "facilitator",
        "iban": "NL91 ABNA 0417 1643 00",
        "company_name": "Flex Uitzend B.V.",
        "company_kvk": "12345678",
    },
    "identity": _COMMON
    | {
        "indicators": "identity.documents-held-by-third-party;identity.one-identity-several-jobs",
        "observed_at": "2026-10-16",
        "summary": "One citizen service number used for three jobs at the same time.",
        "person_name": "Jan de Vries",
        "person_bsn": "111222333",
        "person_role": "victim",
        "email": "j.devries@example.org",
    },
}


def template(barrier: str) -> str:
    """The CSV template of a barrier: every column, and one example row."""
    example = EXAMPLES[barrier] | {"barriers": barrier}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerow([example.get(column, "") for column in COLUMNS])
    return buffer.getvalue()
