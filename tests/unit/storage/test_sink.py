"""Rows reach ClickHouse as JSONCompactColumns with exact nanosecond timestamps."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rum_server.storage.sink import ClickHouseSink, decimal_seconds
from rum_server.storage.store import Store
from rum_server.transform.rows import ROW_COLUMNS
from tests.conftest import make_settings


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (1_764_446_400_123_456_789, "1764446400.123456789"),
        (1_764_446_400_000_000_000, "1764446400.000000000"),
        (1_000_000_000_000_000_001, "1000000000.000000001"),
        (0, "1000000000.000000000"),
    ],
)
def test_timestamps_are_exact_decimal_seconds(ns: int, text: str) -> None:
    assert decimal_seconds(ns) == text


def test_a_written_row_reads_back_exactly(tmp_path: Path) -> None:
    now_ns = time.time_ns()  # within the table's TTL, or ClickHouse drops the row
    store = Store(make_settings(tmp_path / "data"))
    try:
        store.ensure_schema()
        row = {name: "" for name in ROW_COLUMNS}
        row.update(
            Timestamp=now_ns,
            TraceFlags=1,
            SeverityNumber=9,
            ResourceAttributes={"service.name": "s"},
            ScopeAttributes={},
            LogAttributes={"rum.metric.value": "0", "quote": 'a "b"\n\u2028é'},
            EventName="rum.web_vital",
        )
        ClickHouseSink(store).write({name: [value] for name, value in row.items()})
        (stored,) = store.query(
            "SELECT toUnixTimestamp64Nano(Timestamp), LogAttributes, RumMetricValue, TraceFlags "
            "FROM otel.otel_logs"
        )
    finally:
        store.close()
    assert stored == (
        now_ns,
        {"rum.metric.value": "0", "quote": 'a "b"\n\u2028é'},
        0.0,
        1,
    )
