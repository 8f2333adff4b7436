"""DDL for the RUM store: the OpenTelemetry exporter's logs table plus our additions.

The table keeps the exact columns of the Collector's ``clickhouseexporter`` logs
table, so a Collector can write into it and ClickStack or Grafana can read it. Our
additions are MATERIALIZED columns (computed once at insert, invisible to
``SELECT *``) that the rollups and reports read instead of Map subscripts, plus
the rollup tables. The SQL lives in ``sql/*.sql`` (see :mod:`.templates`); this
module only chooses the values. Every statement is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass

from rum_server.contract import EXPORTER_COLUMNS
from rum_server.storage import templates

ROLLUP_TTL_DAYS = 400
"""Rollups are tiny, so they outlive the raw rows (year-over-year questions)."""

_CODECS: dict[str, str] = {
    "Timestamp": "CODEC(Delta(8), ZSTD(1))",
    "TraceFlags": "",
    "SeverityNumber": "",
}


def _materialized_columns() -> dict[str, str]:
    """Our MATERIALIZED columns from ``sql/materialized_columns.sql``: name -> definition."""
    return {line.split("`")[1]: line for line in templates.lines("materialized_columns")}


MATERIALIZED_COLUMNS = _materialized_columns()
"""Name -> full column definition; rollups and reports read these instead of Map subscripts."""


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

    def engine(self, kind: str = "MergeTree", *args: str) -> str:
        """A replicated engine on a cluster, a plain one otherwise."""
        if not self.cluster:
            return f"{kind}({', '.join(args)})"
        extra = "".join(", " + arg for arg in args)
        return f"Replicated{kind}('{self.keeper_path}', '{self.replica}'{extra})"

    def values(self) -> dict[str, object]:
        """The placeholders every schema template may use."""
        return {
            "database": self.database,
            "table": self.table,
            "logs": f"{self.database}.{self.table}",
            "on_cluster": self.on_cluster,
            "ttl_days": self.ttl_days,
            "engine_MergeTree": self.engine(),
            "engine_AggregatingMergeTree": self.engine("AggregatingMergeTree"),
            "engine_ReplacingMergeTree_Timestamp": self.engine("ReplacingMergeTree", "Timestamp"),
            "engine_ReplacingMergeTree_settled_at": self.engine("ReplacingMergeTree", "settled_at"),
        }


def logs_table_ddl(target: SchemaTarget) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for the logs table with our MATERIALIZED columns."""
    columns = [
        f"`{name}` {ctype} {_CODECS.get(name, 'CODEC(ZSTD(1))')}".rstrip()
        for name, ctype in EXPORTER_COLUMNS.items()
    ]
    columns += MATERIALIZED_COLUMNS.values()
    columns += templates.lines("skip_indexes")
    return templates.render("logs_table", columns=",\n    ".join(columns), **target.values())


def materialized_column_ddl(target: SchemaTarget, name: str) -> str:
    """Adds one of our MATERIALIZED columns to an existing exporter-made table."""
    column = MATERIALIZED_COLUMNS[name]
    return templates.render("add_materialized_column", column=column, **target.values())


def rollup_statements(target: SchemaTarget) -> list[str]:
    """DDL for the rollups (``sql/vitals_*.sql``, ``sql/rollups.sql``), in order; idempotent."""
    values = {
        **target.values(),
        "rollup_ttl": f"day + toIntervalDay({max(ROLLUP_TTL_DAYS, target.ttl_days)})",
    }
    return [
        *templates.statements("vitals_stage", **values),
        *(
            templates.render("vitals_daily", name=name, **values)
            for name in ("rum_vitals_daily", "rum_vitals_daily_settle")
        ),
        *templates.statements("rollups", **values),
    ]


def statements(target: SchemaTarget) -> list[str]:
    """Every DDL statement, in order; each is idempotent."""
    return [
        templates.render("database", **target.values()),
        logs_table_ddl(target),
        *(materialized_column_ddl(target, name) for name in MATERIALIZED_COLUMNS),
        *rollup_statements(target),
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
