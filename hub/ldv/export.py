"""Where processing-log records go: an OTLP collector, a JSON-lines file, or nowhere.

Records are OpenTelemetry spans (LDV recommends OTLP between application and Logboek). The
JSON-lines form writes each span with the field names of LDV's Logboek interface.
"""

import json
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace import StatusCode

log = logging.getLogger(__name__)

FOREIGN_ENTITY = "dpl.core.foreign_operation.entity"
_STATUS = {
    StatusCode.UNSET: "STATUS_CODE_UNSET",
    StatusCode.OK: "STATUS_CODE_OK",
    StatusCode.ERROR: "STATUS_CODE_ERROR",
}


def record_of(span: ReadableSpan) -> dict[str, Any]:
    """One span as an LDV Logboek record (LDV 1.0, "Component: Logboek", Interface)."""
    context = span.get_span_context()
    assert context is not None and span.start_time is not None and span.end_time is not None
    record: dict[str, Any] = {
        "trace_id": f"{context.trace_id:032x}",
        "span_id": f"{context.span_id:016x}",
        "parent_span_id": f"{span.parent.span_id:016x}" if span.parent is not None else None,
        "name": span.name,
        "status_code": _STATUS[span.status.status_code],
        # LDV asks for timestamps in milliseconds.
        "start_time": span.start_time // 1_000_000,
        "end_time": span.end_time // 1_000_000,
        "attributes": dict(span.attributes or {}),
        "resource": {"attributes": dict(span.resource.attributes)},
    }
    # A partner's traceparent: LDV's foreign_operation, carried as a span link.
    for link in span.links:
        entity = (link.attributes or {}).get(FOREIGN_ENTITY)
        if entity is not None:
            record["foreign_operation"] = {
                "trace_id": f"{link.context.trace_id:032x}",
                "span_id": f"{link.context.span_id:016x}",
                "entity": entity,
            }
    return record


class JsonLinesExporter(SpanExporter):
    """Appends one JSON object per record to a file readable by its owner only."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        # O_APPEND and one write per line: processes sharing the file never interleave lines.
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        data = memoryview(
            "".join(
                json.dumps(record_of(span), sort_keys=True, separators=(",", ":")) + "\n"
                for span in spans
            ).encode()
        )
        with self._lock:
            if self._fd < 0:
                return SpanExportResult.FAILURE
            while data:  # a regular file takes it whole, but write() may legally take less
                data = data[os.write(self._fd, data) :]
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


class ReservableIds(RandomIdGenerator):
    """Random ids, except that the next root span can be given ids chosen before it starts: a
    webhook is sent with a traceparent first, and its record is made after the answer."""

    def __init__(self) -> None:
        self._reserved = threading.local()

    def reserve(self, trace_id: int, span_id: int) -> None:
        self._reserved.ids = (trace_id, span_id)

    def clear(self) -> None:
        self._reserved.ids = None

    def generate_trace_id(self) -> int:
        ids = getattr(self._reserved, "ids", None)
        return ids[0] if ids else super().generate_trace_id()

    def generate_span_id(self) -> int:
        ids = getattr(self._reserved, "ids", None)
        if ids:
            self._reserved.ids = None  # once: the children get ids of their own
            return ids[1]
        return super().generate_span_id()


class RecordOutput:
    """Where finished records go: the JSON-lines file, all of a transaction's in one write, or
    an OTLP collector through the SDK's batching processor (a thread of its own)."""

    def __init__(self, *, exporter: SpanExporter | None = None, queue: SpanProcessor | None = None):
        assert (exporter is None) != (queue is None)
        self._exporter = exporter
        self._queue = queue
        self._closed = False

    def write(self, records: Sequence[ReadableSpan]) -> None:
        """Hand over a transaction's records; a failure is logged, never raised into the end
        of the transaction (as the SDK's own processors do)."""
        if self._queue is not None:
            for record in records:
                self._queue.on_end(record)
            return
        try:
            assert self._exporter is not None
            self._exporter.export(records)
        except Exception:
            log.exception("writing %d processing-log records failed", len(records))

    def shutdown(self) -> None:
        """Flush what is queued and close the file; once."""
        if self._closed:
            return
        self._closed = True
        if self._queue is not None:
            self._queue.shutdown()
        elif self._exporter is not None:
            self._exporter.shutdown()


def output_for(setting: str, data_dir: Path) -> RecordOutput | None:
    """The output of HUB_LDV_EXPORT; None when it is `off`."""
    if setting == "off":
        return None
    if setting == "otlp":
        # Endpoint, headers and certificate from the standard OTEL_EXPORTER_OTLP_* variables.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return RecordOutput(queue=BatchSpanProcessor(OTLPSpanExporter()))
    return RecordOutput(exporter=JsonLinesExporter(jsonl_path(setting, data_dir)))


def jsonl_path(setting: str, data_dir: Path) -> Path:
    """The file of `jsonl` (the data folder's ldv/processing-log.jsonl) or `jsonl:PATH`."""
    _, _, path = setting.partition(":")
    return Path(path) if path else data_dir / "ldv" / "processing-log.jsonl"
