"""The DDL keeps the OpenTelemetry exporter's logs table exactly, and adds only our columns."""

from __future__ import annotations

import re

from rum_server.storage.schema import (
    ALIAS_COLUMNS,
    EXPORTER_COLUMNS,
    MATERIALIZED_COLUMNS,
    SchemaTarget,
    dedup_window_statements,
    logs_table_ddl,
    missing_columns,
    statements,
)


def test_the_logs_table_has_every_exporter_column_with_its_type() -> None:
    ddl = logs_table_ddl(SchemaTarget())
    for name, ctype in EXPORTER_COLUMNS.items():
        assert f"`{name}` {ctype}" in ddl
    assert "PARTITION BY toDate(Timestamp)" in ddl
    assert "ORDER BY (toStartOfFiveMinutes(Timestamp), ServiceName, Timestamp)" in ddl
    assert "TTL toDateTime(Timestamp) + toIntervalDay(90)" in ddl


def test_our_additions_are_materialized_or_alias_so_select_star_is_unchanged() -> None:
    ddl = logs_table_ddl(SchemaTarget())
    for name, (ctype, expression) in MATERIALIZED_COLUMNS.items():
        assert f"`{name}` {ctype} MATERIALIZED {expression} CODEC(ZSTD(1))," in ddl
    for name, (ctype, expression) in ALIAS_COLUMNS.items():
        assert f"`{name}` {ctype} ALIAS {expression}," in ddl


def test_the_ids_are_not_stored_twice() -> None:
    """They do not compress; stored beside the Map they were a third of the table's bytes."""
    assert set(ALIAS_COLUMNS) == {"RumMetricId", "RumPageViewId", "RumSessionId"}
    assert "idx_rum_page_view" not in logs_table_ddl(SchemaTarget())


IDEMPOTENT = re.compile(
    r"CREATE (DATABASE|TABLE|MATERIALIZED VIEW) IF NOT EXISTS "
    r"|ALTER TABLE \S+ ADD COLUMN IF NOT EXISTS `"
)
"""How every statement starts: repeating it changes nothing."""


def test_every_statement_is_idempotent() -> None:
    for statement in statements(SchemaTarget()):
        assert IDEMPOTENT.match(statement), statement[:80]
    not_idempotent = "CREATE TABLE otel.x (a UInt8) ENGINE = Memory COMMENT 'IF NOT EXISTS'"
    assert not IDEMPOTENT.match(not_idempotent)


def test_only_plain_merge_tree_tables_fed_by_inserts_get_the_dedup_window() -> None:
    engines = {
        "otel_logs": "MergeTree",
        "rum_vitals_stage": "ReplacingMergeTree",
        "rum_errors_daily": "ReplicatedAggregatingMergeTree",
        "rum_page_views_daily": "AggregatingMergeTree",
        "rum_vitals_histograms": "AggregatingMergeTree",  # filled by the settler, not by inserts
    }
    ddl = dedup_window_statements(SchemaTarget(), engines)
    assert [statement.split()[2] for statement in ddl] == [
        "otel.otel_logs",
        "otel.rum_vitals_stage",
        "otel.rum_page_views_daily",
    ]
    assert all("non_replicated_deduplication_window = " in statement for statement in ddl)
    assert dedup_window_statements(SchemaTarget(), {"otel_logs": "Distributed"}) == []


def test_a_cluster_target_uses_on_cluster_and_replicated_engines() -> None:
    target = SchemaTarget(cluster="prod", ttl_days=30)
    ddl = logs_table_ddl(target)
    assert "otel.otel_logs ON CLUSTER `prod`" in ddl
    engine = "ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')"
    assert engine in ddl
    assert "toIntervalDay(30)" in ddl


def test_an_existing_table_lacking_an_exporter_column_is_reported() -> None:
    existing = dict(EXPORTER_COLUMNS)
    del existing["EventName"]
    existing["Body"] = "LowCardinality(String)"
    assert missing_columns(existing) == [
        "column Body is LowCardinality(String), expected String",
        "column EventName String is missing",
    ]
    assert missing_columns(dict(EXPORTER_COLUMNS)) == []
