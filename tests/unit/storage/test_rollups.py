"""Rollup DDL and settle SQL, as text: idempotent, cluster-aware, built on MATERIALIZED columns."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from rum_server.storage.rollups import (
    DaySplit,
    RollupTables,
    rollup_statements,
    settle_candidates_sql,
    settle_day_statements,
    split_days,
)
from rum_server.storage.schema import SchemaTarget

LOCAL = SchemaTarget()
CLUSTER = SchemaTarget(database="rum", table="logs", cluster="main")


@pytest.mark.parametrize("target", [LOCAL, CLUSTER], ids=["local", "cluster"])
def test_every_statement_is_idempotent(target: SchemaTarget) -> None:
    for statement in rollup_statements(target):
        assert re.match(r"CREATE (TABLE|MATERIALIZED VIEW) IF NOT EXISTS ", statement)


@pytest.mark.parametrize(
    ("target", "expected_on_cluster", "engine"),
    [
        (LOCAL, "", "ENGINE = AggregatingMergeTree()"),
        (CLUSTER, " ON CLUSTER `main`", "ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/"),
    ],
)
def test_cluster_targets_get_on_cluster_and_replicated_engines(
    target: SchemaTarget, expected_on_cluster: str, engine: str
) -> None:
    statements = rollup_statements(target)
    assert all(f"{target.database}.rum_" in s.split("(")[0] for s in statements)
    assert all(expected_on_cluster in s.split("\n")[0] for s in statements)
    assert any(engine in s for s in statements)


@pytest.mark.parametrize(
    ("target", "engine"),
    [
        (LOCAL, "ReplacingMergeTree(Timestamp)"),
        (CLUSTER, "'{replica}', Timestamp)"),
    ],
)
def test_the_stage_replaces_by_timestamp_so_the_last_report_wins(
    target: SchemaTarget, engine: str
) -> None:
    stage = next(s for s in rollup_statements(target) if ".rum_vitals_stage" in s.split("\n")[0])
    assert engine in stage
    assert "ORDER BY (ServiceName, RumMetricName, RumMetricId)" in stage
    assert "PARTITION BY day" in stage


def test_views_read_the_configured_logs_table_and_materialized_columns() -> None:
    views = [s for s in rollup_statements(CLUSTER) if "MATERIALIZED VIEW" in s]
    assert len(views) == 6  # vitals stage, errors, page views, releases, events, label values
    for view in views:
        assert "FROM rum.logs\n" in view
    stage_view = next(v for v in views if "rum_vitals_stage_mv" in v)
    assert "LogAttributes[" not in stage_view
    assert "RumMetricValue" in stage_view and "RumSampleRate" in stage_view


def test_the_daily_rollup_keeps_a_histogram_that_merges_by_summing() -> None:
    daily = next(
        s for s in rollup_statements(LOCAL) if ".rum_vitals_histograms " in s.split("\n")[0]
    )
    assert "histogram SimpleAggregateFunction(sumMap, Map(Int16, UInt64))" in daily
    assert "weight_squares SimpleAggregateFunction(sum, UInt64)" in daily
    assert "TDigest" not in daily
    assert "RumBrowserName" in daily and "ServiceVersion" in daily  # compare reads it too


def test_settling_a_day_swaps_its_partition_in_from_stage_final() -> None:
    tables = RollupTables.in_database("otel")
    statements = settle_day_statements(tables, date(2026, 11, 27), "12345")
    assert (
        statements[0]
        == "ALTER TABLE otel.rum_vitals_histograms_settle DROP PARTITION ID '20261127'"
    )
    assert "FROM otel.rum_vitals_stage FINAL" in statements[1]
    assert "WHERE day = toDate('2026-11-27')" in statements[1]
    assert statements[2] == (
        "ALTER TABLE otel.rum_vitals_histograms REPLACE PARTITION ID '20261127' "
        "FROM otel.rum_vitals_histograms_settle"
    )
    assert "VALUES (toDate('2026-11-27'), '12345')" in statements[4]


def test_changed_or_new_days_are_candidates() -> None:
    sql = settle_candidates_sql(RollupTables.in_database("otel"))
    assert "FROM system.parts" in sql
    assert "WHERE s.stage_parts != d.stage_parts" in sql


TODAY = date(2026, 11, 29)


def day(offset: int) -> date:
    return TODAY - timedelta(days=offset)


@pytest.mark.parametrize(
    ("stage", "settled", "rollup", "from_stage"),
    [
        ({}, {}, [], [2, 1, 0]),
        ({2: "a", 1: "b", 0: "c"}, {2: "a", 1: "b", 0: "c"}, [2, 1, 0], []),
        ({2: "a", 1: "b", 0: "c2"}, {2: "a", 1: "b", 0: "c"}, [2, 1], [0]),
        ({1: "b"}, {2: "a", 1: "b"}, [2, 1], [0]),  # day 2's stage expired: rollup only
        ({5: "x", 0: "c"}, {5: "x"}, [], [2, 1, 0]),  # outside the window
    ],
    ids=["nothing settled", "all fresh", "today changed", "stage expired", "old day"],
)
def test_split_days_reads_fresh_days_from_the_rollup(
    stage: dict[int, str], settled: dict[int, str], rollup: list[int], from_stage: list[int]
) -> None:
    rows: list[tuple[object, ...]] = [
        *(("stage", day(offset), parts) for offset, parts in stage.items()),
        *(("settled", day(offset), parts) for offset, parts in settled.items()),
    ]
    split = split_days(rows, 3, TODAY)
    assert split == DaySplit(tuple(map(day, rollup)), tuple(map(day, from_stage)))
