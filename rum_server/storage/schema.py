"""DDL for the RUM store: the OpenTelemetry exporter's logs table plus our additions.

The table keeps the exact columns of the Collector's ``clickhouseexporter`` logs
table, so a Collector can write into it and ClickStack or Grafana can read it. Our
additions are MATERIALIZED columns (computed once at insert, invisible to
``SELECT *``) that the rollups and reports read instead of Map subscripts, plus
the rollup tables in :mod:`rum_server.storage.rollups`. Every statement is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass

from rum_server.contract import EXPORTER_COLUMNS

# The exporter's columns are contract.EXPORTER_COLUMNS: never altered by us.

_CODECS: dict[str, str] = {
    "Timestamp": "CODEC(Delta(8), ZSTD(1))",
    "TraceFlags": "",
    "SeverityNumber": "",
}

# Our MATERIALIZED columns: name -> (type, expression). Rollups are built on these.
MATERIALIZED_COLUMNS: dict[str, tuple[str, str]] = {
    "RumRoute": ("LowCardinality(String)", "LogAttributes['rum.route']"),
    "RumMetricName": ("LowCardinality(String)", "LogAttributes['rum.metric.name']"),
    "RumMetricValue": ("Float64", "toFloat64OrZero(LogAttributes['rum.metric.value'])"),
    "RumMetricId": ("String", "LogAttributes['rum.metric.id']"),
    "RumMetricRating": ("LowCardinality(String)", "LogAttributes['rum.metric.rating']"),
    "RumDeviceType": ("LowCardinality(String)", "LogAttributes['rum.device.type']"),
    "RumBrowserName": ("LowCardinality(String)", "LogAttributes['rum.browser.name']"),
    "RumSampleRate": ("Float64", "toFloat64OrDefault(LogAttributes['rum.sample_rate'], 1.)"),
    "RumPageViewId": ("String", "LogAttributes['rum.page_view.id']"),
    "RumSessionId": ("String", "LogAttributes['rum.session.id']"),
    "RumErrorFingerprint": ("String", "LogAttributes['rum.error.fingerprint']"),
    "RumErrorCount": ("UInt32", "toUInt32OrDefault(LogAttributes['rum.error.count'], toUInt32(1))"),
    "RumEventName": ("LowCardinality(String)", "LogAttributes['rum.event.name']"),
    "ServiceVersion": ("LowCardinality(String)", "ResourceAttributes['service.version']"),
}

_SKIP_INDEXES = (
    "INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1",
    "INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1",
    "INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1",
    "INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1",
    "INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1",
    "INDEX idx_log_attr_key mapKeys(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1",
    "INDEX idx_log_attr_value mapValues(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1",
    "INDEX idx_body Body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8",
    "INDEX idx_rum_page_view RumPageViewId TYPE bloom_filter(0.01) GRANULARITY 1",
)


DEFAULT_KEEPER_PATH = "/clickhouse/tables/{shard}/{database}/{table}"
"""Where a replicated table keeps its state in Keeper; ``{shard}`` is the server's macro."""
DEFAULT_REPLICA = "{replica}"
"""The replica's name: the server's ``{replica}`` macro."""


@dataclass(frozen=True, slots=True)
class SchemaTarget:
    """Where the schema goes: database, table, TTL and an optional cluster (with the
    Keeper path and replica name its replicated engines use)."""

    database: str = "otel"
    table: str = "otel_logs"
    ttl_days: int = 90
    cluster: str = ""
    keeper_path: str = DEFAULT_KEEPER_PATH
    replica: str = DEFAULT_REPLICA

    @property
    def on_cluster(self) -> str:
        return f" ON CLUSTER `{self.cluster}`" if self.cluster else ""

    def engine(self, kind: str = "MergeTree") -> str:
        """A replicated engine on a cluster, a plain one otherwise."""
        if not self.cluster:
            return f"{kind}()"
        return f"Replicated{kind}('{self.keeper_path}', '{self.replica}')"


def logs_table_ddl(target: SchemaTarget) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for the logs table with our MATERIALIZED columns."""
    columns = [
        f"`{name}` {ctype} {_CODECS.get(name, 'CODEC(ZSTD(1))')}".rstrip()
        for name, ctype in EXPORTER_COLUMNS.items()
    ]
    columns += [
        f"`{name}` {ctype} MATERIALIZED {expr}"
        for name, (ctype, expr) in MATERIALIZED_COLUMNS.items()
    ]
    body = ",\n    ".join(columns + list(_SKIP_INDEXES))
    return (
        f"CREATE TABLE IF NOT EXISTS {target.database}.{target.table}{target.on_cluster} (\n"
        f"    {body}\n"
        f") ENGINE = {target.engine()}\n"
        "PARTITION BY toDate(Timestamp)\n"
        "ORDER BY (toStartOfFiveMinutes(Timestamp), ServiceName, Timestamp)\n"
        f"TTL toDateTime(Timestamp) + toIntervalDay({target.ttl_days})\n"
        "SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1"
    )


def materialized_column_ddl(target: SchemaTarget, name: str) -> str:
    """Adds one of our MATERIALIZED columns to an existing exporter-made table."""
    ctype, expr = MATERIALIZED_COLUMNS[name]
    return (
        f"ALTER TABLE {target.database}.{target.table}{target.on_cluster} "
        f"ADD COLUMN IF NOT EXISTS `{name}` {ctype} MATERIALIZED {expr}"
    )


def statements(target: SchemaTarget) -> list[str]:
    """Every DDL statement, in order; each is idempotent."""
    from rum_server.storage.rollups import rollup_statements

    return [
        f"CREATE DATABASE IF NOT EXISTS {target.database}{target.on_cluster}",
        logs_table_ddl(target),
        *(materialized_column_ddl(target, name) for name in MATERIALIZED_COLUMNS),
        *rollup_statements(target),
    ]


DEDUP_WINDOW = 1000
"""Recent insert tokens a plain MergeTree remembers, so a replayed segment is dropped."""
FED_BY_INSERTS = ("rum_vitals_stage", "rum_errors_daily", "rum_page_views_daily", "rum_releases")
"""Rollup tables filled by views on each insert: a replay must be dropped there too."""


def dedup_window_statements(target: SchemaTarget, engines: dict[str, str]) -> list[str]:
    """Turn on insert deduplication for the plain MergeTree tables among ours.

    ``engines`` is table name → engine as the store reports it. Replicated tables
    deduplicate by themselves, and a Distributed ``otel_logs`` (``--cluster``) takes
    no such setting, so only plain ``*MergeTree`` tables get the window.
    """
    plain = [
        table
        for table in (target.table, *FED_BY_INSERTS)
        if engines.get(table, "").endswith("MergeTree")
        and not engines[table].startswith("Replicated")
    ]
    return [
        f"ALTER TABLE {target.database}.{table} "
        f"MODIFY SETTING non_replicated_deduplication_window = {DEDUP_WINDOW}"
        for table in plain
    ]


def differing_columns(existing: dict[str, str]) -> list[tuple[str, str, str]]:
    """(name, exporter type, existing type or '' when missing) for each column that differs."""
    return [
        (name, ctype, existing.get(name, ""))
        for name, ctype in EXPORTER_COLUMNS.items()
        if existing.get(name) != ctype
    ]


def missing_columns(existing: dict[str, str]) -> list[str]:
    """Exporter columns an existing table lacks or has with another type (reported, never fixed)."""
    return [
        f"column {name} is {found}, expected {ctype}"
        if found
        else f"column {name} {ctype} is missing"
        for name, ctype, found in differing_columns(existing)
    ]
