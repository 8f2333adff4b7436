"""``--sink otlp``: the same rows reach an OTLP/HTTP receiver intact, retried and spooled.

The receiver (tests/support/otlp_receiver.py) decodes the gzipped protobuf; each
record, turned back into the exporter's row shape, must equal the row ClickHouse
stored for the same beacon: every attribute, resource attribute, scope, severity,
event name, trace and span id, flags, body and the nanosecond timestamp.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from rum_server.app import create_app
from rum_server.cli.main import main
from rum_server.settings import Settings
from rum_server.storage.store import Store
from tests.conftest import EXAMPLE_ROWS, EXAMPLES, make_settings
from tests.support.otlp_receiver import Received, otlp_receiver

ROW_FIELDS = (
    "Timestamp", "TraceId", "SpanId", "TraceFlags", "SeverityText", "SeverityNumber",
    "ServiceName", "Body", "ResourceSchemaUrl", "ResourceAttributes", "ScopeSchemaUrl",
    "ScopeName", "ScopeVersion", "ScopeAttributes", "LogAttributes", "EventName",
)  # fmt: skip


def post_examples(settings: Settings) -> None:
    with TestClient(app=create_app(settings)) as client:
        for path in EXAMPLES:
            response = client.post(
                "/__deco/rum", content=path.read_bytes(), headers={"content-type": "text/plain"}
            )
            assert response.status_code == 204, response.text


def stored_rows(settings: Settings) -> list[dict[str, Any]]:
    store = Store(settings)
    try:
        names = ", ".join(f"`{name}`" for name in ROW_FIELDS if name != "Timestamp")
        result = store.client.query(
            f"SELECT toUnixTimestamp64Nano(Timestamp) AS Timestamp, {names} "
            f"FROM {settings.qualified_table}"
        )
        return [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
    finally:
        store.close()


def strings(key_values: Any) -> dict[str, str]:
    return {kv.key: kv.value.string_value for kv in key_values}


def as_rows(received: Received) -> list[dict[str, Any]]:
    """Every received record in the exporter's row shape (what a Collector would store)."""
    rows = []
    for resource_logs, scope_logs, record in received.records():
        resource = strings(resource_logs.resource.attributes)
        rows.append(
            {
                "Timestamp": record.time_unix_nano,
                "TraceId": record.trace_id.hex(),
                "SpanId": record.span_id.hex(),
                "TraceFlags": record.flags,
                "SeverityText": record.severity_text,
                "SeverityNumber": record.severity_number,
                "ServiceName": resource["service.name"],
                "Body": record.body.string_value,
                "ResourceSchemaUrl": resource_logs.schema_url,
                "ResourceAttributes": resource,
                "ScopeSchemaUrl": scope_logs.schema_url,
                "ScopeName": scope_logs.scope.name,
                "ScopeVersion": scope_logs.scope.version,
                "ScopeAttributes": strings(scope_logs.scope.attributes),
                "LogAttributes": strings(record.attributes),
                "EventName": record.event_name,
            }
        )
    return rows


def ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: (row["Timestamp"], row["EventName"], repr(row)))


def test_every_record_equals_the_row_clickhouse_stored(tmp_path: Path) -> None:
    with otlp_receiver() as received:
        settings = make_settings(
            tmp_path / "data",
            sinks=("clickhouse", "otlp"),
            otlp_endpoint=received.url,
            otlp_headers="authorization=Bearer%20abc,x-team=rum",
        )
        post_examples(settings)
    stored = stored_rows(settings)
    assert len(stored) == EXAMPLE_ROWS
    assert ordered(as_rows(received)) == ordered(stored)
    traced = [row for row in stored if row["TraceId"]]
    assert traced and all(len(row["TraceId"]) == 32 for row in traced)  # the check saw ids
    assert {row["EventName"] for row in stored} >= {"rum.page_view", "rum.web_vital", "rum.error"}
    assert received.headers[0]["authorization"] == "Bearer abc"
    assert received.headers[0]["x-team"] == "rum"
    for _, _, record in received.records():
        assert record.observed_time_unix_nano >= record.time_unix_nano - 60 * 10**9


def test_retryable_answers_are_retried_and_nothing_is_written_twice(tmp_path: Path) -> None:
    with otlp_receiver() as received:
        received.answers = [503, 429]
        settings = make_settings(
            tmp_path / "data", sinks=("clickhouse", "otlp"), otlp_endpoint=received.url
        )
        post_examples(settings)
    assert received.refusals == 2
    assert len(list(received.records())) == EXAMPLE_ROWS
    assert len(stored_rows(settings)) == EXAMPLE_ROWS  # ClickHouse unaffected by OTLP retries


def test_rows_the_endpoint_never_took_are_spooled_and_sent_at_the_next_start(
    tmp_path: Path,
) -> None:
    with otlp_receiver() as down:
        url = down.url  # a port nobody listens on once the block ends
    settings = make_settings(tmp_path / "data", sinks=("otlp",), otlp_endpoint=url)
    post_examples(settings)
    spooled = list((settings.spool_path / "otlp").glob("*.wal"))
    assert len(spooled) == 1  # the log segment the endpoint never took
    assert not list(settings.spool_path.glob("*.wal"))  # ClickHouse's log untouched
    with otlp_receiver() as received:
        restarted = make_settings(tmp_path / "data", sinks=("otlp",), otlp_endpoint=received.url)
        with TestClient(app=create_app(restarted)):
            pass  # start replays the spool; close flushes it
    assert len(list(received.records())) == EXAMPLE_ROWS
    assert not spooled[0].exists()


def test_a_permanent_refusal_is_logged_and_dropped_not_retried_forever(tmp_path: Path) -> None:
    messages: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("rum_server.storage.otlp").addHandler(handler)
    try:
        with otlp_receiver() as received:
            received.answers = [400]
            settings = make_settings(tmp_path / "data", sinks=("otlp",), otlp_endpoint=received.url)
            post_examples(settings)
    finally:
        logging.getLogger("rum_server.storage.otlp").removeHandler(handler)
    assert received.refusals == 1
    (message,) = messages
    dropped = int(message.split(" refused ")[1].split()[0])
    assert "records for good (400" in message
    assert dropped + len(list(received.records())) == EXAMPLE_ROWS
    assert not list(settings.spool_path.rglob("*.wal"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sink", "otlp"], "the otlp sink needs --otlp-endpoint"),
        (["--sink", "kafka"], "sink must be clickhouse, otlp, spans"),
    ],
)
def test_bad_sink_options_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["serve", "--dsn", f"chdb://{tmp_path}", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
