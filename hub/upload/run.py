"""One upload: rows to signals, posted in batches, refusals to an errors file, a summary."""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.upload.client import Hub, UploadError, problem_text
from hub.upload.columns import ERROR_COLUMNS, Mapped, RowError, content_ref, map_row
from hub.upload.rows import FileError, Row, read_rows

BATCH_SIZE = 500


@dataclass
class Refusal:
    row: Row
    reason: str


@dataclass
class Summary:
    """What the upload did: rows stored now, stored by an earlier run, refused, not sent."""

    rows: int = 0
    stored: int = 0
    already: int = 0
    refused: list[Refusal] = field(default_factory=list)
    sent: int = 0
    not_sent: int = 0

    @property
    def complete(self) -> bool:
        return not self.refused and not self.not_sent


@dataclass
class Item:
    row: Row
    mapped: Mapped


def prepare(rows: list[Row], summary: Summary) -> list[Item]:
    """Map each row to a signal document; a row that cannot be mapped is refused here."""
    items: list[Item] = []
    seen: Counter[str] = Counter()
    for row in rows:
        if row.problem is not None:
            summary.refused.append(Refusal(row, row.problem))
            continue
        try:
            mapped = Mapped(dict(row.document)) if row.document is not None else map_row(row.cells)
        except RowError as exc:
            summary.refused.append(Refusal(row, str(exc)))
            continue
        if not mapped.document.get("external_ref"):
            content = json.dumps(mapped.document, sort_keys=True, ensure_ascii=False)
            mapped.document["external_ref"] = content_ref(mapped.document, seen[content])
            seen[content] += 1
        items.append(Item(row, mapped))
    return items


def _reason(item: Item, problem: dict[str, Any] | None) -> str:
    """The hub's problem for one item, with its pointers turned into the file's columns."""
    if not problem:
        return "refused by the hub"
    errors = problem.get("errors") or []
    parts = [
        f"{item.mapped.column_of(str(e.get('pointer', '')))}: {e.get('detail', '')}"
        for e in errors
        if isinstance(e, dict)
    ]
    return "; ".join(parts) or str(problem.get("detail") or "refused by the hub")


def send(hub: Hub, items: list[Item], summary: Summary, advance: Callable[[int], None]) -> None:
    """Post items in batches; a batch the hub finds too large is split in two."""
    pending = [items[i : i + BATCH_SIZE] for i in range(0, len(items), BATCH_SIZE)]
    while pending:
        chunk = pending.pop(0)
        response = hub.post_batch([item.mapped.document for item in chunk])
        too_big = response.status_code == 413 or (
            response.status_code == 400 and "at most" in problem_text(response)
        )
        if too_big and len(chunk) > 1:
            half = len(chunk) // 2
            pending[:0] = [chunk[:half], chunk[half:]]
            continue
        if response.status_code == 401:
            raise UploadError("the hub refused the token (was the client disabled?)")
        if response.status_code == 403:
            raise UploadError(f"the hub refused the upload: {problem_text(response)}")
        if response.status_code != 200:
            raise UploadError(
                f"the hub answered {response.status_code} ({problem_text(response)}); "
                "run the same command again to resume"
            )
        for result in response.json()["results"]:
            item = chunk[result["index"]]
            if result["status"] == "created":
                summary.stored += 1
            elif result["status"] == "duplicate":
                summary.already += 1
            else:
                summary.refused.append(Refusal(item.row, _reason(item, result.get("problem"))))
        summary.sent += len(chunk)
        advance(len(chunk))


def write_errors(path: Path, header: list[str], refusals: list[Refusal]) -> None:
    """The refused rows with their number and reason, in the file's own columns, so that the
    corrected errors file can be uploaded as it is. It holds the rows' data: owner-only."""
    columns = [c for c in header if c and c not in ERROR_COLUMNS]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        documents = any(r.row.document is not None for r in refusals)
        writer.writerow([*ERROR_COLUMNS, *columns, *(["signal"] if documents else [])])
        for refusal in sorted(refusals, key=lambda r: r.row.number):
            cells = [refusal.row.cells.get(c, "") for c in columns]
            extra = [json.dumps(refusal.row.document, ensure_ascii=False)] if documents else []
            if documents and refusal.row.document is None:
                extra = [""]
            writer.writerow([refusal.row.number, refusal.reason, *cells, *extra])


def load(path: Path) -> tuple[list[str], list[Row]]:
    """The file's header and rows; a file with unknown columns is refused as a whole."""
    from hub.upload.columns import unknown_columns

    header, rows = read_rows(path)
    unknown = unknown_columns(header)
    if unknown:
        raise FileError(
            f"{path.name}: unknown column(s) {', '.join(unknown)}; "
            "see `hub upload --template employment` for the columns"
        )
    return header, rows
