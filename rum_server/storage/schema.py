"""DDL for the RUM store: the OpenTelemetry exporter's logs table plus our additions.

The table keeps the exact columns of the Collector's ``clickhouseexporter`` logs
table, so a Collector can write into it and ClickStack or Grafana can read it. Our
additions are MATERIALIZED columns (computed once at insert, invisible to
``SELECT *``) that the rollups and reports read instead of Map subscripts, ALIAS
columns (the ids: computed on read, never stored twice), plus the rollup tables in
:mod:`rum_server.storage.rollups`. Every statement is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass

from rum_server.contract import (
    BROWSER_NAME,
    DEVICE_TYPE,
    ERROR_COUNT,
    ERROR_FINGERPRINT,
    EVENT_NAME,
    EXPORTER_COLUMNS,
    METRIC_ID,
    METRIC_NAME,
    METRIC_RATING,
    METRIC_VALUE,
    PAGE_VIEW_ID,
    ROUTE,
    SAMPLE_RATE,
    SESSION_ID,
)
from rum_server.storage.rollups import rollup_statements

# The exporter's columns are contract.EXPORTER_COLUMNS: never altered by us.

_CODECS: dict[str, str] = {
    "Timestamp": "CODEC(Delta(8), ZSTD(1))",
    "TraceFlags": "",
    "SeverityNumber": "",
    # The Maps are most of the bytes (LogAttributes ~90%): ZSTD(3) stores them ~9% smaller
    # than the exporter's ZSTD(1) at no measurable insert cost (docs/benchmarks.md, bytes).
    "ResourceAttributes": "CODEC(ZSTD(3))",
    "LogAttributes": "CODEC(ZSTD(3))",
}
DEFAULT_CODEC = "CODEC(ZSTD(1))"

# Our MATERIALIZED columns: name -> (type, expression). Rollups are built on these. Each is
# small on disk (low cardinality or a number) and saves its readers the LogAttributes Map.
MATERIALIZED_COLUMNS: dict[str, tuple[str, str]] = {
    "RumRoute": ("LowCardinality(String)", f"LogAttributes['{ROUTE}']"),
    "RumMetricName": ("LowCardinality(String)", f"LogAttributes['{METRIC_NAME}']"),
    "RumMetricValue": ("Float64", f"toFloat64OrZero(LogAttributes['{METRIC_VALUE}'])"),
    "RumMetricRating": ("LowCardinality(String)", f"LogAttributes['{METRIC_RATING}']"),
    "RumDeviceType": ("LowCardinality(String)", f"LogAttributes['{DEVICE_TYPE}']"),
    "RumBrowserName": ("LowCardinality(String)", f"LogAttributes['{BROWSER_NAME}']"),
    "RumSampleRate": ("Float64", f"toFloat64OrDefault(LogAttributes['{SAMPLE_RATE}'], 1.)"),
    "RumErrorFingerprint": ("String", f"LogAttributes['{ERROR_FINGERPRINT}']"),
    "RumErrorCount": ("UInt32", f"toUInt32OrDefault(LogAttributes['{ERROR_COUNT}'], toUInt32(1))"),
    "RumEventName": ("LowCardinality(String)", f"LogAttributes['{EVENT_NAME}']"),
    "ServiceVersion": ("LowCardinality(String)", "ResourceAttributes['service.version']"),
}

# Our ALIAS columns: the random ids. Stored again beside the Map they would be a third of
# the table's bytes (they do not compress); as ALIAS they are read from LogAttributes, and
# the exporter's mapValues bloom filter still finds a page view's rows.
ALIAS_COLUMNS: dict[str, tuple[str, str]] = {
    "RumMetricId": ("String", f"LogAttributes['{METRIC_ID}']"),
    "RumPageViewId": ("String", f"LogAttributes['{PAGE_VIEW_ID}']"),
    "RumSessionId": ("String", f"LogAttributes['{SESSION_ID}']"),
}

OUR_COLUMNS: dict[str, tuple[str, str]] = {**MATERIALIZED_COLUMNS, **ALIAS_COLUMNS}
"""Every column we add to the exporter's, name -> (type, expression)."""

_SKIP_INDEXES = (
    "INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1",
    "INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1",
    "INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1",
    "INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1",
    "INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1",
    "INDEX idx_log_attr_key mapKeys(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1",
    "INDEX idx_log_attr_value mapValues(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1",
    "INDEX idx_body Body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8",
)
RETIRED_INDEXES = ("idx_rum_page_view",)
"""Ours once; idx_log_attr_value answers the same lookups (a page view's rows)."""


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


def our_column(name: str) -> str:
    """One of our columns as it appears in CREATE TABLE and ADD COLUMN."""
    if name in ALIAS_COLUMNS:
        ctype, expr = ALIAS_COLUMNS[name]
        return f"`{name}` {ctype} ALIAS {expr}"
    ctype, expr = MATERIALIZED_COLUMNS[name]
    return f"`{name}` {ctype} MATERIALIZED {expr} {DEFAULT_CODEC}"


def logs_table_ddl(target: SchemaTarget) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for the logs table with our MATERIALIZED and ALIAS columns."""
    columns = [
        f"`{name}` {ctype} {_CODECS.get(name, DEFAULT_CODEC)}".rstrip()
        for name, ctype in EXPORTER_COLUMNS.items()
    ]
    columns += [our_column(name) for name in OUR_COLUMNS]
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


def our_column_ddl(target: SchemaTarget, name: str) -> str:
    """Adds one of our columns to an existing exporter-made table (a no-op where it exists)."""
    return (
        f"ALTER TABLE {target.database}.{target.table}{target.on_cluster} "
        f"ADD COLUMN IF NOT EXISTS {our_column(name)}"
    )


MAP_BUCKETS_SETTING = "map_serialization_version"
MAP_BUCKETS = (
    "map_serialization_version = 'with_buckets', map_buckets_strategy = 'constant', "
    "max_buckets_in_map = 8, map_buckets_min_avg_size = 1"
)
"""Merged parts store each Map in 8 buckets by key: reading one key (an id, the route) reads
an eighth of LogAttributes, so the ALIAS ids read about as fast as stored ones did, and the
Map is smaller. Inserted parts keep the plain layout (no insert cost); merges convert them.
Newer engines only (ClickHouse 25.x+): applied where ``system.merge_tree_settings`` has it."""


def map_buckets_ddl(target: SchemaTarget) -> str:
    """Turns on bucketed Maps for the logs table's future merges (a storage setting only)."""
    return (
        f"ALTER TABLE {target.database}.{target.table}{target.on_cluster} "
        f"MODIFY SETTING {MAP_BUCKETS}"
    )


def layout_statements(
    target: SchemaTarget, existing: dict[str, tuple[str, str]], indexes: set[str]
) -> list[str]:
    """ALTERs that bring an earlier version's logs table to today's storage layout.

    ``existing`` is column name -> (default kind, codec) as ``system.columns`` has them,
    ``indexes`` the table's skip index names. Storage only: every column keeps its name,
    type and values (an id column becomes ALIAS: the same values, read from the Map). Each
    statement applies to parts written from then on; merges rewrite older ones.
    """
    table = f"{target.database}.{target.table}{target.on_cluster}"
    retired = [name for name in RETIRED_INDEXES if name in indexes]
    out = [f"ALTER TABLE {table} DROP INDEX IF EXISTS {name}" for name in retired]
    for name, (ctype, expr) in ALIAS_COLUMNS.items():
        if existing.get(name, ("", ""))[0] == "MATERIALIZED":
            out.append(f"ALTER TABLE {table} MODIFY COLUMN `{name}` {ctype} ALIAS {expr}")
    wanted = {name: _CODECS[name] for name in ("ResourceAttributes", "LogAttributes")}
    wanted |= dict.fromkeys(MATERIALIZED_COLUMNS, DEFAULT_CODEC)
    for name, codec in wanted.items():
        if name in existing and existing[name][1] != codec:
            out.append(f"ALTER TABLE {table} MODIFY COLUMN `{name}` {codec}")
    return out


def statements(target: SchemaTarget) -> list[str]:
    """Every DDL statement, in order; each is idempotent."""
    return [
        f"CREATE DATABASE IF NOT EXISTS {target.database}{target.on_cluster}",
        logs_table_ddl(target),
        *(our_column_ddl(target, name) for name in OUR_COLUMNS),
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
