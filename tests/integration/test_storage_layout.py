"""The logs table stores each id once and its Maps compactly; older stores keep working.

A store the previous version made (the ids stored as MATERIALIZED columns with their
own skip index, ZSTD(1) Maps) must keep answering as before when this version starts
on it, and ``rum-server schema --migrate --apply`` brings it to today's layout with the
same answers, over parts written before and after the change.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from rum_server.cli.demo_data import Seed, generate
from rum_server.cli.main import main
from rum_server.settings import Settings
from rum_server.storage.exporter_tables import layout_migration
from rum_server.storage.schema import ALIAS_COLUMNS, MATERIALIZED_COLUMNS
from rum_server.storage.sink import ClickHouseSink
from rum_server.storage.store import Store, schema_target
from tests.integration.test_server_path import CLI_REPORTS, SITE, cli_json, filled

PREVIOUS_LOGS_TABLE = """
CREATE TABLE IF NOT EXISTS otel.otel_logs (
    `Timestamp` DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    `TraceId` String CODEC(ZSTD(1)),
    `SpanId` String CODEC(ZSTD(1)),
    `TraceFlags` UInt8,
    `SeverityText` LowCardinality(String) CODEC(ZSTD(1)),
    `SeverityNumber` UInt8,
    `ServiceName` LowCardinality(String) CODEC(ZSTD(1)),
    `Body` String CODEC(ZSTD(1)),
    `ResourceSchemaUrl` LowCardinality(String) CODEC(ZSTD(1)),
    `ResourceAttributes` Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    `ScopeSchemaUrl` LowCardinality(String) CODEC(ZSTD(1)),
    `ScopeName` String CODEC(ZSTD(1)),
    `ScopeVersion` LowCardinality(String) CODEC(ZSTD(1)),
    `ScopeAttributes` Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    `LogAttributes` Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    `EventName` String CODEC(ZSTD(1)),
    `RumRoute` LowCardinality(String) MATERIALIZED LogAttributes['rum.route'],
    `RumMetricName` LowCardinality(String) MATERIALIZED LogAttributes['rum.metric.name'],
    `RumMetricValue` Float64 MATERIALIZED toFloat64OrZero(LogAttributes['rum.metric.value']),
    `RumMetricId` String MATERIALIZED LogAttributes['rum.metric.id'],
    `RumMetricRating` LowCardinality(String) MATERIALIZED LogAttributes['rum.metric.rating'],
    `RumDeviceType` LowCardinality(String) MATERIALIZED LogAttributes['rum.device.type'],
    `RumBrowserName` LowCardinality(String) MATERIALIZED LogAttributes['rum.browser.name'],
    `RumSampleRate` Float64 MATERIALIZED toFloat64OrDefault(LogAttributes['rum.sample_rate'], 1.),
    `RumPageViewId` String MATERIALIZED LogAttributes['rum.page_view.id'],
    `RumSessionId` String MATERIALIZED LogAttributes['rum.session.id'],
    `RumErrorFingerprint` String MATERIALIZED LogAttributes['rum.error.fingerprint'],
    `RumErrorCount` UInt32 MATERIALIZED
        toUInt32OrDefault(LogAttributes['rum.error.count'], toUInt32(1)),
    `RumEventName` LowCardinality(String) MATERIALIZED LogAttributes['rum.event.name'],
    `ServiceVersion` LowCardinality(String) MATERIALIZED ResourceAttributes['service.version'],
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_log_attr_key mapKeys(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_log_attr_value mapValues(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_body Body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8,
    INDEX idx_rum_page_view RumPageViewId TYPE bloom_filter(0.01) GRANULARITY 1
) ENGINE = MergeTree()
PARTITION BY toDate(Timestamp)
ORDER BY (toStartOfFiveMinutes(Timestamp), ServiceName, Timestamp)
TTL toDateTime(Timestamp) + toIntervalDay(90)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
"""
"""The logs table as the version before this layout created it (ids stored, own index)."""


@pytest.fixture(scope="module")
def chunks() -> list[dict[str, list[Any]]]:
    return list(generate(Seed(rows=3_000, days=6, site=SITE), now_ns=time.time_ns()))


@pytest.fixture(scope="module")
def control(tmp_path_factory: pytest.TempPathFactory, chunks: list[dict[str, list[Any]]]) -> str:
    """The same rows, in the same two inserts, in a store made by this version: what every
    report should say (the errors list's ``any(route)`` follows how rows were inserted)."""
    dsn = f"chdb://{tmp_path_factory.mktemp('control') / 'data'}"
    first, second = halves(chunks)
    filled(dsn, first + second).close()
    return dsn


def halves(chunks: list[dict[str, list[Any]]]) -> tuple[list[Any], list[Any]]:
    """The rows in two halves: one written before the migration, one after."""
    rows = sum(len(chunk["Timestamp"]) for chunk in chunks)
    merged = {name: [v for chunk in chunks for v in chunk[name]] for name in chunks[0]}
    cut = rows // 2
    return [{n: v[:cut] for n, v in merged.items()}], [{n: v[cut:] for n, v in merged.items()}]


def kinds(store: Store) -> dict[str, str]:
    return {name: kind for name, (kind, _) in store.column_storage("otel_logs").items()}


def test_a_new_store_keeps_each_id_once_and_finds_a_page_view_by_the_maps_filter(
    tmp_path: Path, chunks: list[dict[str, list[Any]]]
) -> None:
    store = filled(f"chdb://{tmp_path / 'data'}", chunks)
    try:
        assert {kinds(store)[name] for name in ALIAS_COLUMNS} == {"ALIAS"}
        assert {kinds(store)[name] for name in MATERIALIZED_COLUMNS} == {"MATERIALIZED"}
        assert store.column_storage("otel_logs")["LogAttributes"][1] == "CODEC(ZSTD(3))"
        assert "idx_rum_page_view" not in store.skip_indexes("otel_logs")
        assert "map_serialization_version = 'with_buckets'" in store.table_settings("otel_logs")
        store.command("OPTIMIZE TABLE otel.otel_logs FINAL")  # the bucketed layout on disk
        ((page_view, rows),) = store.query(
            "SELECT LogAttributes['rum.page_view.id'] AS id, count() FROM otel.otel_logs "
            "WHERE EventName = 'rum.error' GROUP BY id ORDER BY id LIMIT 1"
        )
        lookup = f"FROM otel.otel_logs WHERE RumPageViewId = '{page_view}'"
        assert store.query(f"SELECT countIf(EventName = 'rum.error') {lookup}") == [(rows,)]
        plan = "\n".join(row[0] for row in store.query(f"EXPLAIN indexes = 1 SELECT 1 {lookup}"))
        assert "idx_log_attr_value" in plan
        assert layout_migration(store, schema_target(store.settings)) == []  # nothing to do
    finally:
        store.close()


def test_a_previous_versions_store_keeps_working_and_migrates_to_the_same_answers(
    tmp_path: Path,
    chunks: list[dict[str, list[Any]]],
    control: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dsn = f"chdb://{tmp_path / 'data'}"
    first, second = halves(chunks)
    store = Store(Settings(dsn=dsn))
    try:
        store.command("CREATE DATABASE otel")
        store.command(PREVIOUS_LOGS_TABLE)
        store.ensure_schema()  # this version starts on it: accepted, left as it is
        for chunk in first:
            ClickHouseSink(store).write(chunk)
        assert {kinds(store)[name] for name in ALIAS_COLUMNS} == {"MATERIALIZED"}
    finally:
        store.close()
    first_half = f"chdb://{tmp_path / 'first-half'}"
    filled(first_half, first).close()
    capsys.readouterr()
    for args in CLI_REPORTS:  # unmigrated, it answers as a store made by this version
        assert cli_json(capsys, dsn, args) == cli_json(capsys, first_half, args), args

    assert main(["schema", "--migrate", "--dsn", dsn]) == 0
    printed = capsys.readouterr().out
    assert "DROP INDEX IF EXISTS idx_rum_page_view;" in printed
    for name, (ctype, expr) in ALIAS_COLUMNS.items():
        assert f"MODIFY COLUMN `{name}` {ctype} ALIAS {expr};" in printed
    assert "MODIFY COLUMN `LogAttributes` CODEC(ZSTD(3));" in printed
    assert "MODIFY COLUMN `RumRoute` CODEC(ZSTD(1));" in printed
    assert "MODIFY SETTING map_serialization_version = 'with_buckets'" in printed

    assert main(["schema", "--migrate", "--apply", "--dsn", dsn]) == 0
    store = Store(Settings(dsn=dsn))
    try:
        for chunk in second:  # new parts beside the old layout's
            ClickHouseSink(store).write(chunk)
        assert {kinds(store)[name] for name in ALIAS_COLUMNS} == {"ALIAS"}
        assert "idx_rum_page_view" not in store.skip_indexes("otel_logs")
        assert layout_migration(store, schema_target(store.settings)) == []
    finally:
        store.close()
    capsys.readouterr()
    for args in CLI_REPORTS:
        assert cli_json(capsys, dsn, args) == cli_json(capsys, control, args), args

    store = Store(Settings(dsn=dsn))
    try:  # old and new parts merged into the new layout: the ids' copies are gone
        store.command("OPTIMIZE TABLE otel.otel_logs FINAL")
        stored = store.query(
            "SELECT DISTINCT column FROM system.parts_columns WHERE database = 'otel' "
            "AND table = 'otel_logs' AND active"
        )
        assert not {name for (name,) in stored} & set(ALIAS_COLUMNS)
    finally:
        store.close()
    for args in CLI_REPORTS:
        assert cli_json(capsys, dsn, args) == cli_json(capsys, control, args), args
