"""Rows → OTLP logs: URLs, headers, ids, and grouping under resources and scopes."""

from __future__ import annotations

import pytest

from rum_server.storage.otlp import export_request, hex_bytes, logs_url, parse_headers
from rum_server.transform.rows import ROW_COLUMNS
from tests.support.beacons import Beacons, error, page_view, web_vital

T0 = 1_764_446_400_123_000_000


@pytest.mark.parametrize(
    ("endpoint", "url"),
    [
        ("http://collector:4318", "http://collector:4318/v1/logs"),
        ("http://collector:4318/", "http://collector:4318/v1/logs"),
        ("https://otel.example/v1/logs", "https://otel.example/v1/logs"),
        ("https://gw.example/otlp", "https://gw.example/otlp/v1/logs"),
    ],
)
def test_a_base_endpoint_gets_the_logs_path(endpoint: str, url: str) -> None:
    assert logs_url(endpoint) == url


def test_headers_are_parsed_like_otel_exporter_otlp_headers() -> None:
    assert parse_headers("api-key=a%3Db, x = y ,broken,") == {"api-key": "a=b", "x": "y"}


def test_ids_that_are_not_exact_hex_are_left_out() -> None:
    assert hex_bytes("4bf92f3577b34da6a3ce929d0e0e4736", 16).hex() == (
        "4bf92f3577b34da6a3ce929d0e0e4736"
    )
    assert hex_bytes("", 16) == b""
    assert hex_bytes("zz", 1) == b""
    assert hex_bytes("00f067aa0ba902b7", 16) == b""  # a span id where a trace id belongs


def test_records_are_grouped_by_resource_then_scope() -> None:
    """Rows of one session share a resource; a newer snippet on its next page is a new scope."""
    first, second = Beacons("a"), Beacons("b")
    first.add(page_view(T0), snippet="1")
    first.add(web_vital("LCP", 1200, "m1", T0 + 1), snippet="1")
    first.add(error("boom", T0 + 2), snippet="2")
    second.add(page_view(T0 + 3), snippet="1")
    a, b = first.columns(), second.columns()
    columns = {name: a[name] + b[name] for name in ROW_COLUMNS}
    request = export_request(columns, observed_ns=5)
    shape = [
        (
            {kv.key: kv.value.string_value for kv in resource.resource.attributes}["service.name"],
            [(scope.scope.version, [r.event_name for r in scope.log_records])
             for scope in resource.scope_logs],
        )
        for resource in request.resource_logs
    ]  # fmt: skip
    assert shape == [
        ("a", [("1", ["rum.page_view", "rum.web_vital"]), ("2", ["rum.error"])]),
        ("b", [("1", ["rum.page_view"])]),
    ]
    record = request.resource_logs[0].scope_logs[0].log_records[0]
    assert (record.time_unix_nano, record.observed_time_unix_nano) == (columns["Timestamp"][0], 5)
