"""Log rows → the browser SDK's spans: names, components, ids, status and duration."""

from __future__ import annotations

from typing import Any

from rum_server.storage.spans import TRACES_COLUMNS, span_columns, span_for, traces_table_ddl
from tests.unit.transform.test_rows import event, rows_for

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def spans(*events: Any, **envelope: Any) -> list[dict[str, Any]]:
    return [span for row in rows_for(*events, **envelope) if (span := span_for(row))]


def test_a_page_view_is_a_document_load_span_that_parents_its_vitals() -> None:
    document, lcp, inp = spans(
        event(t="page_view", ts=999_000.0),
        event(t="web_vital", ts=999_100.0, name="LCP", v=1800.0, id="v1-lcp"),
        event(t="web_vital", ts=999_900.0, name="INP", v=120.0, id="v1-inp"),
    )
    assert document["SpanName"] == "documentLoad"
    assert document["SpanAttributes"]["component"] == "document-load"
    assert document["SpanAttributes"]["location.href"].startswith("https://shop.example/")
    assert document["ParentSpanId"] == ""
    assert lcp["SpanName"] == "LCP" and lcp["SpanAttributes"]["component"] == "web-vitals"
    assert inp["SpanAttributes"]["component"] == "user-interaction"
    for child in (lcp, inp):
        assert child["ParentSpanId"] == document["SpanId"]
        assert child["TraceId"] == document["TraceId"]
        assert len(str(child["SpanId"])) == 16 and len(str(child["TraceId"])) == 32
    assert inp["Duration"] == 120_000_000  # the interaction lasted INP ms, ending at its report
    assert lcp["Duration"] == 0
    assert document["ResourceAttributes"]["rum.sessionId"] == "sid1"
    assert document["ResourceAttributes"]["deployment.environment"] == "production"


def test_a_reported_trace_is_kept_and_the_document_load_hangs_under_the_backend_span() -> None:
    document, error = spans(
        event(t="page_view", ts=999_000.0),
        event(t="error", ts=999_200.0, type="TypeError", msg="x is undefined"),
        tp=TRACEPARENT,
    )
    assert document["TraceId"] == error["TraceId"] == "0af7651916cd43dd8448eb211c80319c"
    assert document["ParentSpanId"] == "b7ad6b7169203331"
    assert error["SpanName"] == "TypeError" and error["StatusCode"] == "STATUS_CODE_ERROR"
    assert error["StatusMessage"] == "x is undefined"
    assert error["SpanAttributes"]["error.message"] == "x is undefined"
    assert document["StatusCode"] == "STATUS_CODE_UNSET"


def test_custom_events_stay_logs_and_every_exporter_column_is_filled() -> None:
    rows = rows_for(event(t="page_view", ts=999_000.0), event(t="event", ts=999_500.0, name="buy"))
    columns = {name: [row[name] for row in rows] for name in rows[0]}
    spans_out = span_columns(columns)
    assert list(spans_out) == [
        n for n in TRACES_COLUMNS if not n.startswith(("Events", "Links"))
    ] + [n for n in TRACES_COLUMNS if n.startswith(("Events", "Links"))]
    assert spans_out["SpanName"] == ["documentLoad"]
    assert spans_out["Events.Name"] == [[]]


def test_the_traces_table_is_the_exporters() -> None:
    ddl = traces_table_ddl("otel", 30)
    assert ddl.startswith("CREATE TABLE IF NOT EXISTS otel.otel_traces (")
    assert "ORDER BY (ServiceName, SpanName, toDateTime(Timestamp))" in ddl
    assert "TTL toDateTime(Timestamp) + toIntervalDay(30)" in ddl
