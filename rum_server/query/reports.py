"""The analyst's reports: pure SQL builders, and thin executors that run them on a Store.

Each builder returns a :class:`Query` (the SQL, with every value inlined as a quoted
literal so it can be copied into any ClickHouse client, and its column names).
Each executor returns a :class:`Report` that carries the SQL it ran. Vitals merge the
daily rollup (days settled and unchanged since) with the dedup stage (every other
day): see :mod:`rum_server.storage.rollups` and docs/queries.md.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import msgspec

from rum_server import contract as c
from rum_server.storage.rollups import DaySplit, RollupTables, day_split
from rum_server.storage.store import Store
from rum_server.storage.templates import SqlFiles

SQL = SqlFiles("rum_server.query")
"""The reports' SQL: ``query/sql/*.sql``, filled by the builders below."""

METRICS = c.METRIC_NAMES
DEVICES = c.DEVICE_TYPES
GROUPS = {
    "site": "ServiceName",
    "route": "RumRoute",
    "device": "RumDeviceType",
    "browser": "RumBrowserName",
    "release": "ServiceVersion",
}
ROLLUP_KEYS = {"day", "ServiceName", "RumRoute", "RumMetricName", "RumDeviceType"}
"""Columns the daily rollup is keyed by; grouping by others reads the stage only."""

MAX_DAYS = 400
ALL_STAGE = DaySplit(rollup=(), stage=())
"""No day known to be settled: every day is read from the stage (correct, only slower)."""
MAX_FUNNEL_STEPS = 10
Z_95 = 1.959964
MIN_EFFECTIVE_SAMPLES = 20
"""Below this many samples a side, the binomial interval of a p75 means little."""


class ReportError(ValueError):
    """A report parameter is not valid; the message says which and why (an HTTP 400)."""


class Report(msgspec.Struct, omit_defaults=True):
    """A report's answer: ordered column names, one dict per row, and the SQL that ran.

    ``note`` explains an expected empty answer (e.g. one release only) to the reader.
    """

    columns: list[str]
    rows: list[dict[str, object]]
    sql: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Query:
    sql: str
    columns: list[str]


@dataclass(frozen=True, slots=True)
class Filters:
    """What every report filters on: site ('' = all), the last N days, metric, device.

    ``today`` is the window's last day. The executors set it from the process clock on
    the store's calendar (:func:`store_today`), so time is an input a test can pass; a
    builder given none writes ClickHouse's ``today()``.
    """

    site: str = ""
    days: int = 7
    metric: str = "LCP"
    device: str = ""
    today: date | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.days <= MAX_DAYS:
            raise ReportError(f"days must be between 1 and {MAX_DAYS}, got {self.days}")
        if self.metric and self.metric not in METRICS:
            raise ReportError(f"metric must be one of {', '.join(METRICS)}, got {self.metric!r}")
        if self.device and self.device not in DEVICES:
            raise ReportError(f"device must be one of {', '.join(DEVICES)}, got {self.device!r}")


@dataclass(frozen=True, slots=True)
class DateRange:
    """Inclusive calendar days, e.g. parsed from ``2026-11-01..2026-11-07``."""

    first: date
    last: date

    @classmethod
    def parse(cls, text: str) -> DateRange:
        parts = text.split("..")
        try:
            first = date.fromisoformat(parts[0].strip())
            last = date.fromisoformat(parts[-1].strip())
        except ValueError:
            raise ReportError(
                f"date range {text!r} is not FIRST..LAST (e.g. 2026-11-01..2026-11-07)"
            ) from None
        if len(parts) > 2 or last < first:
            raise ReportError(f"date range {text!r} must be FIRST..LAST with FIRST <= LAST")
        return cls(first, last)

    def sql(self) -> str:
        return f"day BETWEEN toDate('{self.first}') AND toDate('{self.last}')"

    def __str__(self) -> str:
        return f"{self.first}..{self.last}"


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two sides: releases (``a``/``b``) or date ranges (``a_range``/``b_range``)."""

    a: str = ""
    b: str = ""
    a_range: DateRange | None = None
    b_range: DateRange | None = None
    by: str = ""

    def __post_init__(self) -> None:
        releases = bool(self.a or self.b)
        ranges = bool(self.a_range or self.b_range)
        if releases and ranges:
            raise ReportError("compare either two releases (a, b) or two date ranges, not both")
        if releases and not (self.a and self.b):
            raise ReportError("compare needs both releases: a and b")
        if ranges and not (self.a_range and self.b_range):
            raise ReportError("compare needs both date ranges: a_range and b_range")
        if self.by and self.by not in ("route", "device", "browser"):
            raise ReportError(f"compare by must be route, device or browser, got {self.by!r}")

    def labels(self) -> tuple[str, str]:
        """How the two sides are named in the answer: releases, or ranges as FIRST..LAST."""
        if self.a_range and self.b_range:
            return str(self.a_range), str(self.b_range)
        return self.a, self.b


def quote(value: str) -> str:
    """A ClickHouse string literal; the only way a user value enters the SQL."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def group_column(by: str) -> str:
    if by not in GROUPS:
        raise ReportError(f"by must be one of {', '.join(GROUPS)}, got {by!r}")
    return GROUPS[by]


def first_day(filters: Filters) -> str:
    """The window's first day as SQL: a literal when ``today`` is known."""
    if filters.today is None:
        return f"today() - {filters.days - 1}"
    return f"toDate('{filters.today - timedelta(days=filters.days - 1)}')"


def in_window(filters: Filters, day: str = "day") -> str:
    """``day`` within the window: from its first day, and up to ``today`` when known."""
    if filters.today is None:
        return f"{day} >= {first_day(filters)}"
    return f"{day} BETWEEN {first_day(filters)} AND toDate('{filters.today}')"


def _conditions(filters: Filters, metric: bool = True, device: bool = True) -> list[str]:
    conditions = [in_window(filters)]
    if filters.site:
        conditions.append(f"ServiceName = {quote(filters.site)}")
    if metric and filters.metric:
        conditions.append(f"RumMetricName = {quote(filters.metric)}")
    if device and filters.device:
        conditions.append(f"RumDeviceType = {quote(filters.device)}")
    return conditions


def _and(conditions: list[str], indent: str = "") -> str:
    return f"\n{indent}  AND ".join(conditions)


def _days_in(days: tuple[date, ...]) -> str:
    return "day IN (" + ", ".join(f"'{day.isoformat()}'" for day in days) + ")"


def vitals_source(tables: RollupTables, filters: Filters, keys: list[str], split: DaySplit) -> str:
    """Per ``keys``: weighted samples, rating sums and t-digest states over the window.

    Days the rollup answers (``split.rollup``) come from the daily rollup; the others
    (and any grouping the rollup lacks) from ``stage FINAL``, which holds each metric
    id once, with its last value.
    """
    key_list = ", ".join(keys)

    def from_stage(conditions: list[str]) -> str:
        return SQL.render(
            "vitals_from_stage",
            keys=key_list,
            stage=tables.vitals_stage,
            conditions=_and(conditions),
        )

    if not set(keys) <= ROLLUP_KEYS:
        return from_stage(_conditions(filters))
    parts = []
    if split.rollup:
        conditions = [*_conditions(filters), _days_in(split.rollup)]
        parts.append(
            SQL.render(
                "vitals_from_rollup",
                keys=key_list,
                daily=tables.vitals_daily,
                conditions=_and(conditions),
            )
        )
    if split.stage or not split.rollup:
        conditions = _conditions(filters) + ([_days_in(split.stage)] if split.stage else [])
        parts.append(from_stage(conditions))
    return "\nUNION ALL\n".join(parts)


def _indent(sql: str) -> str:
    return "    " + sql.replace("\n", "\n    ")


def vitals_query(
    tables: RollupTables, filters: Filters, by: str = "route", split: DaySplit = ALL_STAGE
) -> Query:
    """p50/p75/p95 and rating shares of one metric, grouped by route, device, browser or release."""
    if not filters.metric:
        raise ReportError("vitals needs a metric")
    column = group_column(by)
    source = _indent(vitals_source(tables, filters, [column], split))
    sql = SQL.render("vitals", column=column, by=by, source=source)
    columns = [by, "samples", "kept", "good", "needs_improvement", "poor", "p50", "p75", "p95"]
    return Query(sql, columns)


def trend_query(tables: RollupTables, filters: Filters, split: DaySplit = ALL_STAGE) -> Query:
    """Daily p75 and samples per metric, with the releases first seen on each day."""
    release_site = f"\n      AND ServiceName = {quote(filters.site)}" if filters.site else ""
    source = _indent(_indent(vitals_source(tables, filters, ["day", "RumMetricName"], split)))
    sql = SQL.render("trend", source=source, releases=tables.releases, release_site=release_site)
    return Query(sql, ["day", "metric", "samples", "p75", "new_releases"])


def errors_query(tables: RollupTables, filters: Filters, limit: int = 20) -> Query:
    """Top error fingerprints by weighted occurrences."""
    if not 1 <= limit <= 1000:
        raise ReportError(f"limit must be between 1 and 1000, got {limit}")
    sql = SQL.render(
        "errors",
        errors_daily=tables.errors_daily,
        conditions=_and(_conditions(filters, metric=False)),
        limit=int(limit),
    )
    columns = [
        "fingerprint",
        "type",
        "message",
        "route",
        "count",
        "page_views",
        "first_seen",
        "last_seen",
    ]
    return Query(sql, columns)


def pages_query(tables: RollupTables, filters: Filters) -> Query:
    """Weighted page views and distinct sessions per route."""
    sql = SQL.render(
        "pages",
        page_views_daily=tables.page_views_daily,
        conditions=_and(_conditions(filters, metric=False)),
    )
    return Query(sql, ["route", "page_views", "sessions"])


def sites_query(tables: RollupTables) -> Query:
    """Every site id with data, with its first and last row."""
    return Query(
        SQL.render("sites", releases=tables.releases), ["site", "rows", "first_seen", "last_seen"]
    )


def latest_releases_query(tables: RollupTables, filters: Filters) -> Query:
    """The two newest releases (by first row) seen in the window: the default comparison."""
    site = f" AND ServiceName = {quote(filters.site)}" if filters.site else ""
    sql = SQL.render(
        "latest_releases", releases=tables.releases, site=site, first_day=first_day(filters)
    )
    return Query(sql, ["release"])


def _weighted_quantile(level: str) -> str:
    """The value where the cumulative weight first reaches ``level`` of the total."""
    return f"sorted[greatest(arrayFirstIndex(c -> c >= {level} * cum[-1], cum), 1)].1"


def compare_query(tables: RollupTables, filters: Filters, comparison: Comparison) -> Query:
    """p75 of two sides (releases or date ranges), its change, and a 95% interval of the change.

    Per side: the exact weighted p75 from ``stage FINAL`` and its distribution-free
    binomial (order-statistic) 95% interval, the values at ranks
    ``n·q ∓ z·sqrt(n·q·(1-q))`` with n the effective sample size. Each interval
    gives a standard error (width / 2z); the change's interval combines both as
    independent errors. The change is significant when its interval excludes 0.
    """
    if not filters.metric:
        raise ReportError("compare needs a metric")
    if comparison.a_range and comparison.b_range:
        side = f"multiIf({comparison.a_range.sql()}, 'a', {comparison.b_range.sql()}, 'b', '')"
        window = [f"({comparison.a_range.sql()} OR {comparison.b_range.sql()})"]
        base = Filters(filters.site, MAX_DAYS, filters.metric, filters.device, filters.today)
        conditions = [*_conditions(base)[1:], *window]
    else:
        side = (
            f"multiIf(ServiceVersion = {quote(comparison.a)}, 'a', "
            f"ServiceVersion = {quote(comparison.b)}, 'b', '')"
        )
        conditions = [
            *_conditions(filters),
            f"ServiceVersion IN ({quote(comparison.a)}, {quote(comparison.b)})",
        ]
    key = GROUPS[comparison.by] if comparison.by else "'all'"
    label_a, label_b = comparison.labels()
    q = "0.75"
    lo = f"greatest({q} - {Z_95} * sqrt({q} * (1 - {q}) / n_eff), 0)"
    hi = f"least({q} + {Z_95} * sqrt({q} * (1 - {q}) / n_eff), 1)"
    group = comparison.by or "scope"
    columns = [
        group,
        "a",
        "b",
        "samples_a",
        "samples_b",
        "p75_a",
        "p75_b",
        "change",
        "change_pct",
        "change_low",
        "change_high",
        "significant",
        "verdict",
    ]
    outer = SQL.render(
        "compare",
        columns=", ".join(columns),
        group=group,
        label_a=quote(label_a),
        label_b=quote(label_b),
        z=Z_95,
        min_samples=MIN_EFFECTIVE_SAMPLES,
        p75=_weighted_quantile(q),
        p75_low=_weighted_quantile(lo),
        p75_high=_weighted_quantile(hi),
        key=key,
        side=side,
        stage=tables.vitals_stage,
        conditions=_and(conditions, " " * 12),
    )
    return Query(outer, columns)


def events_query(logs_table: str, filters: Filters, names: list[str]) -> Query:
    """Funnel: weighted sessions reaching each event in order (``windowFunnel``, 1 day window).

    Custom events have no rollup: the funnel reads the logs table's MATERIALIZED columns.
    """
    if not 1 <= len(names) <= MAX_FUNNEL_STEPS or not all(names):
        raise ReportError(f"events needs 1 to {MAX_FUNNEL_STEPS} non-empty event names")
    steps = ", ".join(f"RumEventName = {quote(name)}" for name in names)
    name_array = "[" + ", ".join(quote(name) for name in names) + "]"
    conditions = [
        f"EventName = '{c.CUSTOM_EVENT}'",
        in_window(filters, "toDate(Timestamp)"),
        f"RumEventName IN {name_array}",
    ]
    if filters.site:
        conditions.append(f"ServiceName = {quote(filters.site)}")
    if filters.device:
        conditions.append(f"RumDeviceType = {quote(filters.device)}")
    sql = SQL.render(
        "events",
        name_array=name_array,
        steps=steps,
        logs=logs_table,
        conditions=_and(conditions, " " * 8),
    )
    return Query(sql, ["step", "event", "sessions", "of_first", "of_previous"])


# --- executors ---------------------------------------------------------------------------


def _plain(value: object) -> object:
    """Dates and times as ISO strings, so JSON, CSV and the table print them alike."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def run(store: Store, query: Query) -> Report:
    rows = store.query(query.sql)
    return Report(
        columns=list(query.columns),
        rows=[{c: _plain(v) for c, v in zip(query.columns, row, strict=True)} for row in rows],
        sql=query.sql,
    )


def _tables(store: Store) -> RollupTables:
    return RollupTables.in_database(store.settings.database)


def store_today(store: Store, now_ns: int | None = None) -> date:
    """The day ``now_ns`` (default: this process's clock) falls on in the store's time zone.

    The clock is Python's, so a test or ``faketime`` moves every report's window; the
    calendar is the store's, the one ``toDate(Timestamp)`` files rows under.
    """
    now_ns = time.time_ns() if now_ns is None else now_ns
    day = store.query(f"SELECT toDate(fromUnixTimestamp64Nano(toInt64({int(now_ns)})))")[0][0]
    assert isinstance(day, date)
    return day


def dated(store: Store, filters: Filters) -> Filters:
    """``filters`` with its window's last day set (from the clock when none was given)."""
    if filters.today is not None:
        return filters
    return dataclasses.replace(filters, today=store_today(store))


def vitals(store: Store, filters: Filters, by: str = "route") -> Report:
    filters = dated(store, filters)
    split = day_split(store, filters.days, filters.today)
    return run(store, vitals_query(_tables(store), filters, by, split))


def trend(store: Store, filters: Filters) -> Report:
    filters = dated(store, filters)
    split = day_split(store, filters.days, filters.today)
    return run(store, trend_query(_tables(store), filters, split))


def errors(store: Store, filters: Filters, limit: int = 20) -> Report:
    return run(store, errors_query(_tables(store), dated(store, filters), limit))


def pages(store: Store, filters: Filters) -> Report:
    return run(store, pages_query(_tables(store), dated(store, filters)))


def sites(store: Store) -> Report:
    return run(store, sites_query(_tables(store)))


def events(store: Store, filters: Filters, names: list[str]) -> Report:
    table = store.settings.qualified_table
    return run(store, events_query(table, dated(store, filters), names))


def compare(store: Store, filters: Filters, comparison: Comparison) -> Report:
    """Compare two releases or date ranges; with neither given, the two newest releases."""
    tables = _tables(store)
    filters = dated(store, filters)
    if not (comparison.a or comparison.a_range):
        releases = latest_releases_query(tables, filters)
        latest = [row[0] for row in store.query(releases.sql)]
        if len(latest) < 2:  # an expected state (a first deploy), not a bad request
            shape = compare_query(tables, filters, dataclasses.replace(comparison, a="-", b="-"))
            return Report(
                columns=shape.columns,
                rows=[],
                sql=releases.sql,
                note=f"{len(latest)} release(s) in the last {filters.days} days: compare needs "
                "two (deploy a new version, or pick two date ranges)",
            )
        comparison = dataclasses.replace(comparison, a=latest[1], b=latest[0])
    return run(store, compare_query(tables, filters, comparison))
