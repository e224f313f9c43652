"""Writing processing-log records: a transaction's records handed over at once, none lost, and
a failed write never raised into the request."""

from collections.abc import Sequence

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from hub.ldv.export import RecordOutput


class Calls(SpanExporter):
    def __init__(self, *, fail: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.fail = fail
        self.closed = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.calls.append([span.name for span in spans])
        if self.fail:
            raise OSError("disk full")
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self.closed += 1


def test_the_records_handed_over_together_are_written_in_one_call() -> None:
    exporter = Calls()
    output = RecordOutput(exporter=exporter)
    output.write([ReadableSpan(name) for name in ("a", "b", "c")])
    output.write([ReadableSpan("d")])
    assert exporter.calls == [["a", "b", "c"], ["d"]]
    output.shutdown()
    output.shutdown()  # at exit as well as by the app's lifespan: closed once
    assert exporter.closed == 1


def test_a_failed_write_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    exporter = Calls(fail=True)
    RecordOutput(exporter=exporter).write([ReadableSpan("a")])
    assert exporter.calls == [["a"]]
    assert "writing 1 processing-log records failed" in caplog.text
