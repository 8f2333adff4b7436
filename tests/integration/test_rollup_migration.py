"""A store made before the histograms (t-digest rollup tables) upgrades by itself.

The old store is made the way an older release left it: the logs table and the stage
full of rows, the t-digest ``rum_vitals_daily`` (and its scratch and settled tables)
settled, and no histogram tables. ``rum-server schema --migrate --apply`` (or any
start) creates the histogram tables, the first settle fills them from the stage, and
the answers are those of a store that never had t-digests. The old tables are kept.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from pathlib import Path
from typing import Any

from rum_server.cli.demo_data import Seed, generate
from rum_server.cli.main import main
from rum_server.settings import Settings
from rum_server.storage.rollups import FINAL_SETTINGS
from rum_server.storage.sink import ClickHouseSink
from rum_server.storage.store import Store

SITE = "old-shop"
NOW_NS = time.time_ns()
"""Both stores get the rows of the same days, even across midnight."""
OLD_QUANTILES = (
    "AggregateFunction(quantilesTDigestWeighted(0.5, 0.75, 0.9, 0.95, 0.99), Float64, UInt64)"
)
OLD_DAILY = [
    "ServiceName LowCardinality(String)",
    "day Date",
    "RumRoute LowCardinality(String)",
    "RumMetricName LowCardinality(String)",
    "RumDeviceType LowCardinality(String)",
    "samples SimpleAggregateFunction(sum, Float64)",
    "kept SimpleAggregateFunction(sum, UInt64)",
    "good SimpleAggregateFunction(sum, Float64)",
    "needs_improvement SimpleAggregateFunction(sum, Float64)",
    "poor SimpleAggregateFunction(sum, Float64)",
    f"quantiles {OLD_QUANTILES}",
]
"""``rum_vitals_daily`` as the t-digest releases created it."""


def make_old_store(data_dir: Path) -> None:
    store = Store(Settings(dsn=f"chdb://{data_dir}"))
    try:
        store.ensure_schema()
        for name in ("rum_vitals_histograms", "rum_vitals_histograms_settle"):
            store.command(f"DROP TABLE otel.{name}")
        store.command("DROP TABLE otel.rum_vitals_histograms_settled")
        for name in ("rum_vitals_daily", "rum_vitals_daily_settle"):
            store.command(
                f"CREATE TABLE otel.{name} ({', '.join(OLD_DAILY)}) ENGINE = AggregatingMergeTree"
                " PARTITION BY day ORDER BY (ServiceName, RumMetricName, day, RumRoute,"
                " RumDeviceType)"
            )
        store.command(
            "CREATE TABLE otel.rum_vitals_settled (day Date, stage_parts String, settled_at"
            " DateTime64(3) DEFAULT now64(3)) ENGINE = ReplacingMergeTree(settled_at) ORDER BY day"
        )
        sink = ClickHouseSink(store)
        for chunk in generate(Seed(rows=6_000, days=5, site=SITE), now_ns=NOW_NS):
            sink.write(chunk)
        store.command(
            "INSERT INTO otel.rum_vitals_daily SELECT ServiceName, day, RumRoute, RumMetricName,"
            " RumDeviceType, sum(Weight), count(), 0, 0, 0,"
            " quantilesTDigestWeightedState(0.5, 0.75, 0.9, 0.95, 0.99)"
            "(RumMetricValue, toUInt64(1))"
            " FROM otel.rum_vitals_stage FINAL GROUP BY ServiceName, day, RumRoute,"
            " RumMetricName, RumDeviceType"
        )
    finally:
        store.close()


def cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(list(args))
    return code, out.getvalue()


def vitals(data_dir: Path) -> list[dict[str, Any]]:
    code, out = cli(
        "query", "vitals", "--metric", "LCP", "--by", "route", "--days", "7",
        "--site", SITE, "--format", "json", "--dsn", f"chdb://{data_dir}",
    )  # fmt: skip
    assert code == 0
    rows: list[dict[str, Any]] = json.loads(out)["rows"]
    return rows


def test_schema_migrate_adds_the_histograms_and_the_first_settle_fills_them(
    tmp_path: Path,
) -> None:
    old, fresh = tmp_path / "old", tmp_path / "fresh"
    make_old_store(old)
    code, _ = cli("schema", "--migrate", "--apply", "--dsn", f"chdb://{old}")
    assert code == 0
    answer = vitals(old)  # the CLI settles first

    store = Store(Settings(dsn=f"chdb://{old}"))
    try:
        names = store.query("SELECT name FROM system.tables WHERE database = 'otel'")
        tables = {row[0] for row in names}
        assert {"rum_vitals_histograms", "rum_vitals_daily", "rum_vitals_settled"} <= tables
        settled = store.query("SELECT count() FROM otel.rum_vitals_histograms_settled FINAL")
        assert settled[0][0] >= 5  # every day the stage holds
        kept = store.query("SELECT sum(kept) FROM otel.rum_vitals_histograms")[0][0]
        # Per day, as every reader folds the stage: a metric id re-reported across midnight
        # counts on both days (plain FINAL would merge the days' partitions into one row).
        staged = store.query(f"SELECT count() FROM otel.rum_vitals_stage FINAL {FINAL_SETTINGS}")
        assert kept == staged[0][0]
        assert store.query("SELECT count() FROM otel.rum_vitals_daily")[0][0] > 0  # kept
    finally:
        store.close()

    store = Store(Settings(dsn=f"chdb://{fresh}"))
    try:  # the same rows in a store that never had t-digests
        store.ensure_schema()
        sink = ClickHouseSink(store)
        for chunk in generate(Seed(rows=6_000, days=5, site=SITE), now_ns=NOW_NS):
            sink.write(chunk)
    finally:
        store.close()
    assert answer and answer == vitals(fresh)


def test_a_start_on_an_old_store_creates_the_histogram_tables(tmp_path: Path) -> None:
    make_old_store(tmp_path / "old")
    store = Store(Settings(dsn=f"chdb://{tmp_path / 'old'}"))
    try:
        store.ensure_schema()  # what serve and every CLI command run at start
        names = store.query("SELECT name FROM system.tables WHERE database = 'otel'")
        assert ("rum_vitals_histograms",) in names and ("rum_vitals_daily",) in names
    finally:
        store.close()
