"""The DDL keeps the OpenTelemetry exporter's logs table exactly, and adds only our columns."""

from __future__ import annotations

import re

from rum_server.storage.schema import (
    EXPORTER_COLUMNS,
    MATERIALIZED_COLUMNS,
    SchemaTarget,
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


def test_our_additions_are_materialized_so_select_star_is_unchanged() -> None:
    ddl = logs_table_ddl(SchemaTarget())
    for name, definition in MATERIALIZED_COLUMNS.items():
        assert definition.startswith(f"`{name}` ") and " MATERIALIZED " in definition
        assert definition in ddl


IDEMPOTENT = re.compile(
    r"CREATE (DATABASE|TABLE|MATERIALIZED VIEW) IF NOT EXISTS "
    r"|ALTER TABLE \S+ ADD COLUMN IF NOT EXISTS `"
)


def test_every_statement_is_idempotent() -> None:
    for statement in statements(SchemaTarget()):
        assert IDEMPOTENT.match(statement), statement[:80]
    assert not IDEMPOTENT.match("CREATE TABLE otel.x (a UInt8) ENGINE = Memory")


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
