"""Rollup tables: small pre-aggregated copies of the logs table the reports read.

Web vitals need care: the same ``rum.metric.id`` may arrive twice (page hidden,
shown, hidden again) and must count once, with its last value. A plain
insert-triggered materialized view would count both reports, so vitals go
through two steps:

1. ``rum_vitals_stage``: a materialized view copies every vital, narrowed to the
   columns reports need, into a ``ReplacingMergeTree(Timestamp)`` keyed by
   (site, day, metric id). ``FINAL`` keeps the latest report of each id.
2. ``rum_vitals_histograms``: an ``AggregatingMergeTree`` of counts, rating sums and
   weighted log-scale histograms (:mod:`rum_server.storage.histograms`, quantiles within 0.5%
   that merge exactly) per (site, day, route, metric, device, browser, release).
   :func:`settle` fills a day from ``stage FINAL`` once the day is over, and swaps the
   whole partition in atomically (``REPLACE PARTITION``), so re-settling a day is
   idempotent.

Reports merge the rollup's histograms for settled days with histograms computed from
``stage FINAL`` for the days still open: the same sums either way, so every surface
reads the same quantile.

Stores made before the histograms kept t-digest states in ``rum_vitals_daily`` (with
``rum_vitals_settled``). The histogram rollup has new names, so the schema creates it
beside them and the first settle fills it from the stage; the old tables are left for
the operator to drop (docs/storage.md). Errors, page views and releases have no
duplicates to fear and are filled by plain insert-triggered views.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from rum_server.contract import ERROR_EVENT, ERROR_MESSAGE, ERROR_TYPE, PAGE_VIEW, WEB_VITAL
from rum_server.storage.ddl import WEIGHT_EXPR, rollup_table, rollup_view
from rum_server.storage.event_rollups import event_rollup_statements
from rum_server.storage.histograms import HISTOGRAM_TYPE, WEIGHT, histogram
from rum_server.storage.host_lock import host_lock

if TYPE_CHECKING:
    from rum_server.storage.schema import SchemaTarget
    from rum_server.storage.store import Store

ROLLUP_TTL_DAYS = 400
"""Rollups are tiny, so they outlive the raw rows (year-over-year questions)."""


@dataclass(frozen=True, slots=True)
class RollupTables:
    """Fully qualified names of the rollup tables, all in the logs table's database."""

    vitals_stage: str
    vitals_daily: str
    vitals_scratch: str
    settled_days: str
    errors_daily: str
    page_views_daily: str
    releases: str
    events_daily: str
    event_label_values: str

    @classmethod
    def in_database(cls, database: str) -> RollupTables:
        names = (
            "rum_vitals_stage",
            "rum_vitals_histograms",
            "rum_vitals_histograms_settle",
            "rum_vitals_histograms_settled",
            "rum_errors_daily",
            "rum_page_views_daily",
            "rum_releases",
            "rum_events_daily",
            "rum_event_label_values",
        )
        return cls(*(f"{database}.{name}" for name in names))


_VITALS_DAILY_COLUMNS = [
    "ServiceName LowCardinality(String)",
    "day Date",
    "RumRoute LowCardinality(String)",
    "RumMetricName LowCardinality(String)",
    "RumDeviceType LowCardinality(String)",
    "RumBrowserName LowCardinality(String)",
    "ServiceVersion LowCardinality(String)",
    "samples SimpleAggregateFunction(sum, Float64)",
    "kept SimpleAggregateFunction(sum, UInt64)",
    "good SimpleAggregateFunction(sum, Float64)",
    "needs_improvement SimpleAggregateFunction(sum, Float64)",
    "poor SimpleAggregateFunction(sum, Float64)",
    "weight_squares SimpleAggregateFunction(sum, UInt64)",
    f"histogram {HISTOGRAM_TYPE}",
]
_VITALS_DAILY_ORDER = (
    "ServiceName, RumMetricName, day, RumRoute, RumDeviceType, RumBrowserName, ServiceVersion"
)
VITALS_KEYS = (
    "ServiceName",
    "day",
    "RumRoute",
    "RumMetricName",
    "RumDeviceType",
    "RumBrowserName",
    "ServiceVersion",
)
"""What the vitals rollup is keyed by: every grouping and filter the reports offer."""


def vitals_sums(prefix: str = "") -> str:
    """The rollup's aggregates over ``stage FINAL`` rows, named ``prefix`` + column: what
    settle stores and what the reports compute for days not settled."""
    return (
        f"sum(Weight) AS {prefix}samples, count() AS {prefix}kept,\n"
        f"       sumIf(Weight, RumMetricRating = 'good') AS {prefix}good,\n"
        "       sumIf(Weight, RumMetricRating = 'needs-improvement')"
        f" AS {prefix}needs_improvement,\n"
        f"       sumIf(Weight, RumMetricRating = 'poor') AS {prefix}poor,\n"
        f"       sum({WEIGHT} * {WEIGHT}) AS {prefix}weight_squares,\n"
        f"       {histogram('RumMetricValue', WEIGHT)} AS {prefix}histogram"
    )


def rollup_statements(target: SchemaTarget) -> list[str]:
    """DDL for the rollups, in order; each idempotent."""
    logs = f"{target.database}.{target.table}"
    rollup_ttl = f"day + toIntervalDay({max(ROLLUP_TTL_DAYS, target.ttl_days)})"
    return [
        rollup_table(
            target,
            "rum_vitals_stage",
            [
                "ServiceName LowCardinality(String)",
                "day Date",
                "RumMetricId String",
                "RumRoute LowCardinality(String)",
                "RumMetricName LowCardinality(String)",
                "RumMetricValue Float64",
                "RumMetricRating LowCardinality(String)",
                "RumDeviceType LowCardinality(String)",
                "RumBrowserName LowCardinality(String)",
                "ServiceVersion LowCardinality(String)",
                "Weight Float64",
                "Timestamp DateTime64(9)",
            ],
            "ReplacingMergeTree",
            "ServiceName, RumMetricName, RumMetricId",
            partition_by="day",
            ttl=f"day + toIntervalDay({target.ttl_days})",
            engine_args="Timestamp",
        ),
        rollup_view(
            target,
            "rum_vitals_stage_mv",
            "rum_vitals_stage",
            "SELECT ServiceName, toDate(Timestamp) AS day,\n"
            "       if(RumMetricId != '', RumMetricId, toString(generateUUIDv4()))\n"
            "           AS RumMetricId,\n"
            "       RumRoute, RumMetricName, RumMetricValue, RumMetricRating, RumDeviceType,\n"
            f"       RumBrowserName, ServiceVersion, {WEIGHT_EXPR} AS Weight, Timestamp\n"
            f"FROM {logs}\n"
            f"WHERE EventName = '{WEB_VITAL}' AND RumMetricName != ''",
        ),
        *(  # the rollup, and its twin where settle builds a day before swapping it in
            rollup_table(
                target,
                name,
                _VITALS_DAILY_COLUMNS,
                "AggregatingMergeTree",
                _VITALS_DAILY_ORDER,
                partition_by="day",
                ttl=rollup_ttl,
            )
            for name in ("rum_vitals_histograms", "rum_vitals_histograms_settle")
        ),
        rollup_table(
            target,
            "rum_vitals_histograms_settled",
            [
                "day Date",
                "stage_parts String",
                "settled_at DateTime64(3) DEFAULT now64(3)",
            ],
            "ReplacingMergeTree",
            "day",
            engine_args="settled_at",
        ),
        rollup_table(
            target,
            "rum_errors_daily",
            [
                "ServiceName LowCardinality(String)",
                "day Date",
                "RumErrorFingerprint String",
                "RumDeviceType LowCardinality(String)",
                "error_type SimpleAggregateFunction(any, String)",
                "message SimpleAggregateFunction(any, String)",
                "route SimpleAggregateFunction(any, String)",
                "occurrences SimpleAggregateFunction(sum, Float64)",
                "page_views SimpleAggregateFunction(sum, Float64)",
                "first_seen SimpleAggregateFunction(min, DateTime64(9))",
                "last_seen SimpleAggregateFunction(max, DateTime64(9))",
            ],
            "AggregatingMergeTree",
            "ServiceName, day, RumErrorFingerprint, RumDeviceType",
            partition_by="toYYYYMM(day)",
            ttl=rollup_ttl,
        ),
        rollup_view(
            target,
            "rum_errors_daily_mv",
            "rum_errors_daily",
            "SELECT ServiceName, toDate(Timestamp) AS day, RumErrorFingerprint, RumDeviceType,\n"
            f"       any(LogAttributes['{ERROR_TYPE}']) AS error_type,\n"
            f"       any(LogAttributes['{ERROR_MESSAGE}']) AS message,\n"
            "       any(RumRoute) AS route,\n"
            f"       sum(RumErrorCount * {WEIGHT_EXPR}) AS occurrences,\n"
            f"       sum({WEIGHT_EXPR}) AS page_views,\n"
            "       min(Timestamp) AS first_seen, max(Timestamp) AS last_seen\n"
            f"FROM {logs}\n"
            f"WHERE EventName = '{ERROR_EVENT}'\n"
            "GROUP BY ServiceName, day, RumErrorFingerprint, RumDeviceType",
        ),
        rollup_table(
            target,
            "rum_page_views_daily",
            [
                "ServiceName LowCardinality(String)",
                "day Date",
                "RumRoute LowCardinality(String)",
                "RumDeviceType LowCardinality(String)",
                "page_views SimpleAggregateFunction(sum, Float64)",
                "sessions AggregateFunction(uniq, String)",
            ],
            "AggregatingMergeTree",
            "ServiceName, day, RumRoute, RumDeviceType",
            partition_by="toYYYYMM(day)",
            ttl=rollup_ttl,
        ),
        rollup_view(
            target,
            "rum_page_views_daily_mv",
            "rum_page_views_daily",
            "SELECT ServiceName, toDate(Timestamp) AS day, RumRoute, RumDeviceType,\n"
            f"       sum({WEIGHT_EXPR}) AS page_views, uniqState(RumSessionId) AS sessions\n"
            f"FROM {logs}\n"
            f"WHERE EventName = '{PAGE_VIEW}'\n"
            "GROUP BY ServiceName, day, RumRoute, RumDeviceType",
        ),
        rollup_table(
            target,
            "rum_releases",
            [
                "ServiceName LowCardinality(String)",
                "ServiceVersion LowCardinality(String)",
                "first_seen SimpleAggregateFunction(min, DateTime64(9))",
                "last_seen SimpleAggregateFunction(max, DateTime64(9))",
                "rows SimpleAggregateFunction(sum, UInt64)",
            ],
            "AggregatingMergeTree",
            "ServiceName, ServiceVersion",
        ),
        rollup_view(
            target,
            "rum_releases_mv",
            "rum_releases",
            "SELECT ServiceName, ServiceVersion, min(Timestamp) AS first_seen,\n"
            "       max(Timestamp) AS last_seen, count() AS rows\n"
            f"FROM {logs}\n"
            "WHERE ScopeName = 'deco.rum'\n"
            "GROUP BY ServiceName, ServiceVersion",
        ),
        *event_rollup_statements(target, logs, rollup_ttl),
    ]


def stage_parts_sql(tables: RollupTables) -> str:
    """Per day of the stage, a fingerprint of its data parts, from metadata only.

    Any insert adds a part and any merge replaces parts, so an equal fingerprint means
    the day's stage is exactly what a settle last read.
    """
    database, table = tables.vitals_stage.split(".", 1)
    return (
        "SELECT toDate(partition) AS day,\n"
        "       toString(cityHash64(arraySort(groupArray(name)))) AS stage_parts\n"
        "FROM system.parts\n"
        f"WHERE database = '{database}' AND table = '{table}' AND active\n"
        "GROUP BY partition"
    )


def settle_candidates_sql(tables: RollupTables) -> str:
    """Days of the stage never settled, or changed (rows added or parts merged) since."""
    return (
        "SELECT s.day, s.stage_parts\n"
        f"FROM ({stage_parts_sql(tables)}) AS s\n"
        f"LEFT JOIN (SELECT day, stage_parts FROM {tables.settled_days} FINAL) AS d"
        " ON s.day = d.day\n"
        "WHERE s.stage_parts != d.stage_parts\n"
        "ORDER BY s.day"
    )


def day_states_sql(tables: RollupTables) -> str:
    """Every stage and settled day with its fingerprint: input to :func:`split_days`."""
    return (
        "SELECT 'stage' AS kind, day, stage_parts\n"
        f"FROM ({stage_parts_sql(tables)})\n"
        "UNION ALL\n"
        f"SELECT 'settled', day, stage_parts FROM {tables.settled_days} FINAL"
    )


@dataclass(frozen=True, slots=True)
class DaySplit:
    """The window's days: those the rollup answers (settled, stage unchanged since or
    expired) and those read from ``stage FINAL``."""

    rollup: tuple[date, ...]
    stage: tuple[date, ...]


def split_days(rows: list[tuple[object, ...]], days: int, today: date) -> DaySplit:
    """Sort the last ``days`` calendar days before ``today`` (the store's day, passed in
    so the function stays pure) into rollup and stage days."""
    window = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    stage = {row[1]: row[2] for row in rows if row[0] == "stage"}
    settled = {row[1]: row[2] for row in rows if row[0] == "settled"}
    fresh = {day for day, parts in settled.items() if stage.get(day, parts) == parts}
    return DaySplit(
        rollup=tuple(day for day in window if day in fresh),
        stage=tuple(day for day in window if day not in fresh),
    )


def day_split(store: Store, days: int, today: date | None = None) -> DaySplit:
    """Which days of the window ending ``today`` (default: the store's) the rollup answers."""
    tables = RollupTables.in_database(store.settings.database)
    today = store.query("SELECT today()")[0][0] if today is None else today
    assert isinstance(today, date)
    return split_days(store.query(day_states_sql(tables)), days, today)


FINAL_SETTINGS = "SETTINGS do_not_merge_across_partitions_select_final = 1"
"""``stage FINAL`` merges within a day only: the stage's key holds the day, so this is exact,
and it makes FINAL an order of magnitude cheaper."""


def settle_day_statements(tables: RollupTables, day: date, stage_parts: str) -> list[str]:
    """Rebuild one day of the vitals rollup from ``stage FINAL`` and swap it in atomically."""
    partition = day.strftime("%Y%m%d")
    day_literal = f"toDate('{day.isoformat()}')"
    return [
        f"ALTER TABLE {tables.vitals_scratch} DROP PARTITION ID '{partition}'",
        f"INSERT INTO {tables.vitals_scratch}\n"
        f"SELECT {', '.join(VITALS_KEYS)},\n"
        f"       {vitals_sums()}\n"
        f"FROM {tables.vitals_stage} FINAL\n"
        f"WHERE day = {day_literal}\n"
        f"GROUP BY {', '.join(VITALS_KEYS)}\n"
        f"{FINAL_SETTINGS}",
        f"ALTER TABLE {tables.vitals_daily} REPLACE PARTITION ID '{partition}' "
        f"FROM {tables.vitals_scratch}",
        f"ALTER TABLE {tables.vitals_scratch} DROP PARTITION ID '{partition}'",
        f"INSERT INTO {tables.settled_days} (day, stage_parts) "
        f"VALUES ({day_literal}, '{int(stage_parts)}')",
    ]


_settle_lock = threading.Lock()


def settle(store: Store) -> list[date]:
    """Rebuild the rollup for every day whose stage changed; returns those days.

    Cheap when there is nothing to do (one small query), so the server may call it
    every few minutes and the CLI before each answer. The fingerprint it records is
    read before the rebuild, so rows arriving meanwhile leave the day marked stale,
    never silently missing.
    """
    tables = RollupTables.in_database(store.settings.database)
    settled = []
    # Two settles sharing the scratch table would mix or empty a partition: one at a
    # time per process (the thread lock) and per machine (the workers of one serve).
    with _settle_lock, host_lock(f"settle {store.settings.dsn} {store.settings.database}"):
        for day, stage_parts in store.query(settle_candidates_sql(tables)):
            for statement in settle_day_statements(tables, day, stage_parts):
                store.command(statement)
            settled.append(day)
    return settled


SETTLE_INTERVAL_SECONDS = 300.0
"""How often the API folds new rows in; between settles, changed days are read from the stage."""

_last_settled: weakref.WeakKeyDictionary[Store, float] = weakref.WeakKeyDictionary()


def settle_if_due(store: Store, interval_seconds: float = SETTLE_INTERVAL_SECONDS) -> None:
    """:func:`settle` at most once per interval per store, so every reader can call it."""
    now = time.monotonic()
    last = _last_settled.get(store)
    if (last is not None and now - last < interval_seconds) or _settle_lock.locked():
        return  # settled recently, or another request is settling right now
    _last_settled[store] = now
    settle(store)
