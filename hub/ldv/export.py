"""Where processing-log records go: an OTLP collector, a JSON-lines file, or nowhere.

Records are OpenTelemetry spans (LDV recommends OTLP between application and Logboek). The
JSON-lines form writes each span with the field names of LDV's Logboek interface.
"""

import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry.context import _SUPPRESS_INSTRUMENTATION_KEY
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.id_generator import IdGenerator, RandomIdGenerator
from opentelemetry.sdk.trace.sampling import ALWAYS_ON
from opentelemetry.trace import StatusCode

from hub import __version__

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


class HeldSpanProcessor(SimpleSpanProcessor):
    """Exports each span as it ends, except those a thread ends inside `held()`: those go to
    the exporter together when the block ends (one write for a transaction's records)."""

    def __init__(self, exporter: SpanExporter) -> None:
        super().__init__(exporter)
        self._held = threading.local()

    def on_end(self, span: ReadableSpan) -> None:
        held: list[ReadableSpan] | None = getattr(self._held, "spans", None)
        if held is None:
            super().on_end(span)
        elif span.context is not None and span.context.trace_flags.sampled:
            held.append(span)

    @contextmanager
    def held(self) -> Iterator[None]:
        self._held.spans = []
        try:
            yield
        finally:
            spans, self._held.spans = self._held.spans, None
            if spans:
                self._export(spans)

    def _export(self, spans: list[ReadableSpan]) -> None:
        # As SimpleSpanProcessor.on_end does for one span: no instrumentation of the export
        # itself, and a failure logged rather than raised into the transaction's end.
        token = otel_context.attach(otel_context.set_value(_SUPPRESS_INSTRUMENTATION_KEY, True))
        try:
            self.span_exporter.export(spans)
        except Exception:
            log.exception("exporting %d processing-log records failed", len(spans))
        finally:
            otel_context.detach(token)


def provider_for(
    setting: str, data_dir: Path, ids: IdGenerator
) -> tuple[TracerProvider, HeldSpanProcessor | None] | None:
    """A tracer provider for HUB_LDV_EXPORT, sampling everything, and the processor that can
    hold a transaction's records for one write (None for OTLP: it batches by itself); None
    when the setting is `off`."""
    if setting == "off":
        return None
    provider = TracerProvider(
        resource=Resource.create({"service.name": "barrier-hub", "service.version": __version__}),
        sampler=ALWAYS_ON,  # LDV: log sampling is not allowed
        id_generator=ids,
        shutdown_on_exit=True,
    )
    if setting == "otlp":
        # Endpoint, headers and certificate from the standard OTEL_EXPORTER_OTLP_* variables.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        return provider, None
    processor = HeldSpanProcessor(JsonLinesExporter(jsonl_path(setting, data_dir)))
    provider.add_span_processor(processor)
    return provider, processor


def jsonl_path(setting: str, data_dir: Path) -> Path:
    """The file of `jsonl` (the data folder's ldv/processing-log.jsonl) or `jsonl:PATH`."""
    _, _, path = setting.partition(":")
    return Path(path) if path else data_dir / "ldv" / "processing-log.jsonl"
