"""Reading an upload file (CSV, XLSX or NDJSON) into numbered rows of text cells."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".ndjson": "ndjson", ".jsonl": "ndjson"}


class FileError(ValueError):
    """The file as a whole cannot be read; nothing is uploaded."""


@dataclass
class Row:
    """One row: its number as the partner sees it (spreadsheet row or NDJSON line), its cells
    as text (empty ones left out), or a whole signal document from an NDJSON line."""

    number: int
    cells: dict[str, str]
    document: dict[str, Any] | None = None
    problem: str | None = None


def read_rows(path: Path) -> tuple[list[str], list[Row]]:
    """The header (column names, lowercased) and the rows of a file; blank rows are skipped."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise FileError(f"{path.name}: use a .csv, .xlsx or .ndjson file")
    if not path.is_file():
        raise FileError(f"{path}: no such file")
    reader = {"csv": _csv, "xlsx": _xlsx, "ndjson": _ndjson}[kind]
    return reader(path)


def _header(names: list[Any]) -> list[str]:
    return [str(name or "").strip().lower() for name in names]


def _rows(header: list[str], records: Iterator[tuple[int, list[Any]]]) -> list[Row]:
    rows: list[Row] = []
    for number, values in records:
        cells = {}
        for name, value in zip(header, values, strict=False):
            text = _text(value)
            if name and text:
                cells[name] = text
        extra = [v for v in values[len(header) :] if _text(v)]
        if cells or extra:
            problem = "more cells than the header has columns" if extra else None
            rows.append(Row(number, cells, problem=problem))
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # spreadsheets store house numbers and KvK numbers as floats
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _csv(path: Path) -> tuple[list[str], list[Row]]:
    # utf-8-sig: Excel writes a byte-order mark in front of a CSV saved as UTF-8.
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            first = handle.readline()
            handle.seek(0)
            # Dutch Excel saves CSV with ';' between cells; the header line tells which it is.
            delimiter = ";" if first.count(";") > first.count(",") else ","
            reader = csv.reader(handle, delimiter=delimiter)
            header = _header(next(reader, []))
            rows = _rows(header, ((reader.line_num, values) for values in reader))
    except UnicodeDecodeError:
        raise FileError(f"{path.name}: not UTF-8 text (save the CSV as 'CSV UTF-8')") from None
    except csv.Error as exc:
        raise FileError(f"{path.name}: not a readable CSV file ({exc})") from None
    return header, rows


def _xlsx(path: Path) -> tuple[list[str], list[Row]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises zipfile, KeyError and its own errors alike
        raise FileError(f"{path.name}: not a readable .xlsx workbook") from None
    try:
        sheet = book.worksheets[0]  # the first sheet holds the rows, as in the templates
        records = sheet.iter_rows(values_only=True)
        header = _header(list(next(records, ())))
        rows = _rows(header, ((n, list(values)) for n, values in enumerate(records, start=2)))
    finally:
        book.close()
    return header, rows


def _ndjson(path: Path) -> tuple[list[str], list[Row]]:
    header: dict[str, None] = {}
    rows: list[Row] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise FileError(f"{path.name}: not UTF-8 text") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):
            rows.append(Row(number, {}, problem="not valid JSON"))
            continue
        if not isinstance(item, dict):
            rows.append(Row(number, {}, problem="not a JSON object"))
        elif any(isinstance(v, list | dict) for v in item.values()):
            # A signal as the API takes it (lists of barriers, subjects): sent as it is.
            rows.append(Row(number, {}, document=item))
        else:
            cells = {str(k).strip().lower(): _text(v) for k, v in item.items() if _text(v)}
            header.update(dict.fromkeys(cells))
            rows.append(Row(number, cells))
    return list(header), rows
