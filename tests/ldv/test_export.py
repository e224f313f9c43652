"""Writing processing-log records: a transaction's records in one write, none lost."""

from collections.abc import Sequence

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from hub.ldv.export import HeldSpanProcessor


class Calls(SpanExporter):
    def __init__(self, *, fail: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.fail = fail

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.calls.append([span.name for span in spans])
        if self.fail:
            raise OSError("disk full")
        return SpanExportResult.SUCCESS


def tracer_with(exporter: SpanExporter) -> tuple[TracerProvider, HeldSpanProcessor]:
    processor = HeldSpanProcessor(exporter)
    provider = TracerProvider()
    provider.add_span_processor(processor)
    return provider, processor


def test_records_ended_inside_held_are_exported_together_and_others_at_once() -> None:
    exporter = Calls()
    provider, processor = tracer_with(exporter)
    tracer = provider.get_tracer("test")
    spans = [tracer.start_span(name) for name in ("a", "b", "c")]
    with processor.held():
        for span in spans:
            span.end()
        assert exporter.calls == []  # nothing written before the block ends
    alone = tracer.start_span("d")
    alone.end()
    assert exporter.calls == [["a", "b", "c"], ["d"]]
    with processor.held():
        pass
    assert len(exporter.calls) == 2  # an empty block writes nothing


def test_a_failing_export_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    exporter = Calls(fail=True)
    provider, processor = tracer_with(exporter)
    with processor.held():
        provider.get_tracer("test").start_span("a").end()
    assert exporter.calls == [["a"]]
    assert "processing-log records failed" in caplog.text
