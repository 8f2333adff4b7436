"""Rollup tables: small pre-aggregated copies of the logs table the reports read.

Web vitals need care: the same ``rum.metric.id`` may arrive twice (page hidden,
shown, hidden again) and must count once, with its last value. A plain
insert-triggered materialized view would count both reports, so vitals go
through two steps:

1. ``rum_vitals_stage``: a materialized view copies every vital, narrowed to the
   columns reports need, into a ``ReplacingMergeTree(Timestamp)`` keyed by
   (site, day, metric id). ``FINAL`` keeps the latest report of each id.
2. ``rum_vitals_daily``: an ``AggregatingMergeTree`` of counts, rating shares and
   t-digest states per (site, day, route, metric, device). :func:`settle` fills a
   day from ``stage FINAL`` once the day is over, and swaps the whole partition in
   atomically (``REPLACE PARTITION``), so re-settling a day is idempotent.

Reports merge the rollup's states for settled days with states computed from
``stage FINAL`` for the days still open. Errors, page views and releases have no
duplicates to fear and are filled by plain insert-triggered views. The DDL is
``sql/rollups.sql`` (applied by :mod:`.schema`); the settle SQL is ``sql/settle_*.sql``.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass
from datetime import date, timedelta

from rum_server.storage import templates
from rum_server.storage.host_lock import host_lock
from rum_server.storage.store import Store


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

    @classmethod
    def in_database(cls, database: str) -> RollupTables:
        names = (
            "rum_vitals_stage",
            "rum_vitals_daily",
            "rum_vitals_daily_settle",
            "rum_vitals_settled",
            "rum_errors_daily",
            "rum_page_views_daily",
            "rum_releases",
        )
        return cls(*(f"{database}.{name}" for name in names))


def stage_parts_sql(tables: RollupTables) -> str:
    """Per day of the stage, a fingerprint of its data parts, from metadata only.

    Any insert adds a part and any merge replaces parts, so an equal fingerprint means
    the day's stage is exactly what a settle last read.
    """
    database, table = tables.vitals_stage.split(".", 1)
    return templates.render("stage_parts", stage_database=database, stage_table=table)


def settle_candidates_sql(tables: RollupTables) -> str:
    """Days of the stage never settled, or changed (rows added or parts merged) since."""
    return templates.render(
        "settle_candidates", stage_parts=stage_parts_sql(tables), settled=tables.settled_days
    )


def day_states_sql(tables: RollupTables) -> str:
    """Every stage and settled day with its fingerprint: input to :func:`split_days`."""
    return templates.render(
        "day_states", stage_parts=stage_parts_sql(tables), settled=tables.settled_days
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


def settle_day_statements(tables: RollupTables, day: date, stage_parts: str) -> list[str]:
    """Rebuild one day of ``rum_vitals_daily`` from ``stage FINAL`` and swap it in atomically."""
    return templates.statements(
        "settle_day",
        scratch=tables.vitals_scratch,
        stage=tables.vitals_stage,
        daily=tables.vitals_daily,
        settled=tables.settled_days,
        partition=day.strftime("%Y%m%d"),
        day=f"toDate('{day.isoformat()}')",
        stage_parts=int(stage_parts),
    )


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


_last_settled: weakref.WeakKeyDictionary[Store, float] = weakref.WeakKeyDictionary()


def settle_if_due(store: Store, interval_seconds: float | None = None) -> None:
    """:func:`settle` at most once per interval (default: the ``settle_seconds`` setting)
    per store, so every reader can call it."""
    if interval_seconds is None:
        interval_seconds = store.settings.settle_seconds
    now = time.monotonic()
    last = _last_settled.get(store)
    if (last is not None and now - last < interval_seconds) or _settle_lock.locked():
        return  # settled recently, or another request is settling right now
    _last_settled[store] = now
    settle(store)
