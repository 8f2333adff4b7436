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
from typing import TYPE_CHECKING

import msgspec

from rum_server.storage.histograms import DECIMALS, quantile
from rum_server.storage.rollups import (
    FINAL_SETTINGS,
    DaySplit,
    RollupTables,
    day_split,
    vitals_sums,
)
from rum_server.transform.labels import LABEL_KEY, RESERVED_FUNNEL, is_event_name

if TYPE_CHECKING:
    from rum_server.storage.store import Store

METRICS = ("LCP", "CLS", "INP", "FCP", "TTFB", "FID")
DEVICES = ("desktop", "mobile", "tablet", "bot", "other")
GROUPS = {
    "site": "ServiceName",
    "route": "RumRoute",
    "device": "RumDeviceType",
    "browser": "RumBrowserName",
    "release": "ServiceVersion",
}

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
    next_offset: int | None = None
    """Where the next page of rows starts (the API pages its answers); absent on the last."""


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


def vitals_source(
    tables: RollupTables,
    filters: Filters,
    keys: list[str],
    split: DaySplit,
    conditions: list[str] | None = None,
) -> str:
    """Per ``keys`` (columns of the rollup's key, :data:`VITALS_KEYS`): weighted samples,
    rating sums and histograms over the window.

    Days the rollup answers (``split.rollup``) come from the daily rollup; the others
    from ``stage FINAL``, which holds each metric id once, with its last value. Both give
    the same histograms (sums merge exactly). ``conditions`` replace the filters' own
    (``compare`` picks its sides' days or releases).
    """
    key_list = ", ".join(keys)
    where = _conditions(filters) if conditions is None else conditions
    stage = f"SELECT {key_list}, {vitals_sums('w_')}\nFROM {tables.vitals_stage} FINAL\n"
    parts = []
    if split.rollup:
        parts.append(
            f"SELECT {key_list}, samples AS w_samples, kept AS w_kept, good AS w_good,\n"
            "       needs_improvement AS w_needs_improvement, poor AS w_poor,\n"
            "       weight_squares AS w_weight_squares, histogram AS w_histogram\n"
            f"FROM {tables.vitals_daily}\n"
            f"WHERE {_and([*where, _days_in(split.rollup)])}"
        )
    if split.stage or not split.rollup:
        stage_where = where + ([_days_in(split.stage)] if split.stage else [])
        parts.append(stage + f"WHERE {_and(stage_where)}\nGROUP BY {key_list}")
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
    grouped = (
        f"SELECT {column} AS {by},\n"
        "       toUInt64(round(sum(w_samples))) AS samples,\n"
        "       toUInt64(sum(w_kept)) AS kept,\n"
        "       round(sum(w_good) / sum(w_samples), 4) AS good,\n"
        "       round(sum(w_needs_improvement) / sum(w_samples), 4) AS needs_improvement,\n"
        "       round(sum(w_poor) / sum(w_samples), 4) AS poor,\n"
        "       sumMap(w_histogram) AS hist\n"
        f"FROM (\n{_indent(vitals_source(tables, filters, [column], split))}\n)\n"
        f"GROUP BY {by}"
    )
    sql = (
        f"SELECT {by}, samples, kept, good, needs_improvement, poor,\n"
        f"       {quantile('hist', '0.5')} AS p50,\n"
        f"       {quantile('hist', '0.75')} AS p75,\n"
        f"       {quantile('hist', '0.95')} AS p95\n"
        f"FROM (\n{_indent(grouped)}\n)\n"
        f"ORDER BY samples DESC, {by}\n"
        f"{FINAL_SETTINGS}"
    )
    columns = [by, "samples", "kept", "good", "needs_improvement", "poor", "p50", "p75", "p95"]
    return Query(sql, columns)


def trend_query(tables: RollupTables, filters: Filters, split: DaySplit = ALL_STAGE) -> Query:
    """Daily p75 and samples per metric, with the releases first seen on each day."""
    release_site = f"\n      AND ServiceName = {quote(filters.site)}" if filters.site else ""
    sql = (
        "SELECT t.day AS day, t.metric AS metric, t.samples AS samples, t.p75 AS p75,\n"
        "       r.releases AS new_releases\n"
        "FROM (\n"
        "    SELECT day, RumMetricName AS metric, toUInt64(round(sum(w_samples))) AS samples,\n"
        f"           sumMap(w_histogram) AS hist, {quantile('hist', '0.75')} AS p75\n"
        "    FROM (\n"
        + _indent(_indent(vitals_source(tables, filters, ["day", "RumMetricName"], split)))
        + "\n    )\n"
        "    GROUP BY day, metric\n"
        ") AS t\n"
        "LEFT JOIN (\n"
        "    SELECT toDate(first_seen) AS day, arraySort(groupArray(ServiceVersion)) AS releases\n"
        "    FROM (\n"
        "        SELECT ServiceVersion, min(first_seen) AS first_seen\n"
        f"        FROM {tables.releases}\n"
        f"        WHERE ServiceVersion != ''{release_site}\n"
        "        GROUP BY ServiceVersion\n"
        "    )\n"
        "    GROUP BY day\n"
        ") AS r ON t.day = r.day\n"
        "ORDER BY day, metric\n"
        f"{FINAL_SETTINGS}"
    )
    return Query(sql, ["day", "metric", "samples", "p75", "new_releases"])


def errors_query(tables: RollupTables, filters: Filters, limit: int = 20) -> Query:
    """Top error fingerprints by weighted occurrences."""
    if not 1 <= limit <= 1000:
        raise ReportError(f"limit must be between 1 and 1000, got {limit}")
    sql = (
        "SELECT RumErrorFingerprint AS fingerprint, any(error_type) AS type,\n"
        "       any(message) AS message, any(route) AS route,\n"
        "       toUInt64(round(sum(occurrences))) AS count,\n"
        "       toUInt64(round(sum(page_views))) AS page_views,\n"
        "       min(first_seen) AS first_seen, max(last_seen) AS last_seen\n"
        f"FROM {tables.errors_daily}\n"
        f"WHERE {_and(_conditions(filters, metric=False))}\n"
        "GROUP BY fingerprint\n"
        f"ORDER BY count DESC, fingerprint\nLIMIT {int(limit)}"
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
    sql = (
        "SELECT RumRoute AS route, toUInt64(round(sum(page_views))) AS page_views,\n"
        "       uniqMerge(sessions) AS sessions\n"
        f"FROM {tables.page_views_daily}\n"
        f"WHERE {_and(_conditions(filters, metric=False))}\n"
        "GROUP BY route\n"
        "ORDER BY page_views DESC, route"
    )
    return Query(sql, ["route", "page_views", "sessions"])


def sites_query(tables: RollupTables) -> Query:
    """Every site id with data, with its first and last row."""
    sql = (
        "SELECT ServiceName AS site, sum(rows) AS rows,\n"
        "       min(first_seen) AS first_seen, max(last_seen) AS last_seen\n"
        f"FROM {tables.releases}\n"
        "GROUP BY site\n"
        "ORDER BY site"
    )
    return Query(sql, ["site", "rows", "first_seen", "last_seen"])


def latest_releases_query(tables: RollupTables, filters: Filters) -> Query:
    """The two newest releases (by first row) seen in the window: the default comparison."""
    site = f" AND ServiceName = {quote(filters.site)}" if filters.site else ""
    sql = (
        f"SELECT ServiceVersion AS release FROM {tables.releases}\n"
        f"WHERE ServiceVersion != ''{site}\n"
        "GROUP BY release\n"
        f"HAVING toDate(max(last_seen)) >= {first_day(filters)}\n"
        "ORDER BY min(first_seen) DESC, release DESC\n"
        "LIMIT 2"
    )
    return Query(sql, ["release"])


def compare_query(
    tables: RollupTables, filters: Filters, comparison: Comparison, split: DaySplit = ALL_STAGE
) -> Query:
    """p75 of two sides (releases or date ranges), its change, and a 95% interval of the change.

    Per side, from its merged histogram (the rollup for settled days, ``stage FINAL``
    for the others): the weighted p75 and its distribution-free binomial
    (order-statistic) 95% interval, the values at ranks ``n·q ∓ z·sqrt(n·q·(1-q))``
    with n the effective sample size. Each interval gives a standard error
    (width / 2z); the change's interval combines both as independent errors. The
    change is significant when its interval excludes 0.
    """
    if not filters.metric:
        raise ReportError("compare needs a metric")
    if comparison.a_range and comparison.b_range:
        side = f"multiIf({comparison.a_range.sql()}, 'a', {comparison.b_range.sql()}, 'b', '')"
        window = [f"({comparison.a_range.sql()} OR {comparison.b_range.sql()})"]
        base = Filters(filters.site, MAX_DAYS, filters.metric, filters.device, filters.today)
        conditions = [*_conditions(base)[1:], *window]
        side_key = "day"
    else:
        side = (
            f"multiIf(ServiceVersion = {quote(comparison.a)}, 'a', "
            f"ServiceVersion = {quote(comparison.b)}, 'b', '')"
        )
        conditions = [
            *_conditions(filters),
            f"ServiceVersion IN ({quote(comparison.a)}, {quote(comparison.b)})",
        ]
        side_key = "ServiceVersion"
    key_column = GROUPS[comparison.by] if comparison.by else ""
    keys = [key_column, side_key] if key_column else [side_key]
    key = key_column or "'all'"
    source = vitals_source(tables, filters, keys, split, conditions)
    label_a, label_b = comparison.labels()
    q = "0.75"
    lo = f"greatest({q} - {Z_95} * sqrt({q} * (1 - {q}) / n_eff), 0)"
    hi = f"least({q} + {Z_95} * sqrt({q} * (1 - {q}) / n_eff), 1)"
    group = comparison.by or "scope"
    sql = (
        f"SELECT key AS {group}, {quote(label_a)} AS a, {quote(label_b)} AS b,\n"
        "       toUInt64(round(anyIf(samples, side = 'a'))) AS samples_a,\n"
        "       toUInt64(round(anyIf(samples, side = 'b'))) AS samples_b,\n"
        "       anyIf(p75, side = 'a') AS p75_a,\n"
        "       anyIf(p75, side = 'b') AS p75_b,\n"
        f"       round(p75_b - p75_a, {DECIMALS}) AS change,\n"
        "       round(if(p75_a = 0, 0, 100 * (p75_b - p75_a) / p75_a), 1) AS change_pct,\n"
        f"       sqrt(sumIf(pow((p75_high - p75_low) / (2 * {Z_95}), 2), side IN ('a', 'b')))"
        " AS se,\n"
        f"       round(change - {Z_95} * se, 3) AS change_low,\n"
        f"       round(change + {Z_95} * se, 3) AS change_high,\n"
        f"       toBool(min(n_eff) >= {MIN_EFFECTIVE_SAMPLES}\n"
        "              AND (change_low > 0 OR change_high < 0)) AS significant,\n"
        f"       multiIf(min(n_eff) < {MIN_EFFECTIVE_SAMPLES}, 'too few samples',\n"
        "               NOT significant, 'no significant change',\n"
        "               change > 0, 'regressed', 'improved') AS verdict\n"
        "FROM (\n"
        "    SELECT key, side, samples, n_eff,\n"
        f"           {quantile('hist', q)} AS p75,\n"
        f"           {quantile('hist', lo)} AS p75_low,\n"
        f"           {quantile('hist', hi)} AS p75_high\n"
        "    FROM (\n"
        "        SELECT key, side, sum(w_samples) AS samples, sumMap(w_histogram) AS hist,\n"
        "               pow(arraySum(mapValues(hist)), 2) / sum(w_weight_squares) AS n_eff\n"
        "        FROM (\n"
        f"            SELECT {key} AS key, {side} AS side, w_samples, w_histogram,"
        " w_weight_squares\n"
        f"            FROM (\n{_indent(_indent(_indent(_indent(source))))}\n            )\n"
        "        )\n"
        "        WHERE side != ''\n"
        "        GROUP BY key, side\n"
        "    )\n"
        ")\n"
        "GROUP BY key\n"
        "HAVING countIf(side = 'a') > 0 AND countIf(side = 'b') > 0"
    )
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
    outer = (
        f"SELECT {', '.join(columns)}\nFROM (\n{_indent(sql)}\n)\n"
        f"ORDER BY samples_a + samples_b DESC, {group}\n"
        f"{FINAL_SETTINGS}"
    )
    return Query(outer, columns)


def funnel_steps(text: str) -> list[str]:
    """``a,b,c`` → the steps, each a valid event name; '' → the reserved funnel."""
    if not text.strip():
        return list(RESERVED_FUNNEL)
    steps = [name.strip() for name in text.split(",")]
    if not 1 <= len(steps) <= MAX_FUNNEL_STEPS or not all(steps):
        raise ReportError(f"events needs 1 to {MAX_FUNNEL_STEPS} non-empty event names")
    bad = [name for name in steps if not is_event_name(name)]
    if bad:
        raise ReportError(
            f"event names are ^[a-z][a-z0-9_]{{0,39}}$, not {', '.join(map(repr, bad))}"
        )
    return steps


def _event_conditions(filters: Filters, release: str) -> list[str]:
    conditions = _conditions(filters, metric=False)
    if release:
        conditions.append(f"ServiceVersion = {quote(release)}")
    return conditions


FUNNEL_GROUPS = {"release": "ServiceVersion", "device": "RumDeviceType", "route": "RumRoute"}
"""What a funnel may be split by: one funnel per value."""


def events_query(
    tables: RollupTables, filters: Filters, steps: list[str], release: str = "", by: str = ""
) -> Query:
    """The funnel: weighted events (1 / sample rate) of each step, its share of the first
    step and its conversion from the step before, from the daily events rollup; with
    ``by``, one funnel per release, device or route.

    Counts, not ordered sessions: the rollup keeps no session, so "conversion" is how many
    events of a step there were per event of the step before, over the window.
    """
    if by and by not in FUNNEL_GROUPS:
        raise ReportError(f"events by must be one of {', '.join(FUNNEL_GROUPS)}, got {by!r}")
    names = "[" + ", ".join(quote(name) for name in steps) + "]"
    conditions = [*_event_conditions(filters, release), f"RumEventName IN {names}"]
    where = _and(conditions, " " * 8)
    group = FUNNEL_GROUPS.get(by, "''")
    shown = f"grp AS {by}, " if by else ""
    partition = "PARTITION BY grp " if by else ""
    sql = (
        f"SELECT {shown}step, event, toUInt64(round(weighted)) AS events, kept,\n"
        "       round(if(first_value(weighted) OVER w = 0, 0,"
        " weighted / first_value(weighted) OVER w), 4) AS of_first,\n"
        "       round(if(lagInFrame(weighted, 1, weighted) OVER w = 0, 0,\n"
        "             weighted / lagInFrame(weighted, 1, weighted) OVER w), 4) AS conversion\n"
        "FROM (\n"
        "    SELECT s.grp AS grp, s.step AS step, s.event AS event, c.weighted AS weighted,"
        " c.kept AS kept\n"
        f"    FROM (SELECT grp, arrayJoin(arrayEnumerate({names})) AS step,"
        f" {names}[step] AS event\n"
        f"          FROM (SELECT DISTINCT {group} AS grp FROM {tables.events_daily}\n"
        f"                WHERE {_and(conditions, ' ' * 16)})) AS s\n"
        "    LEFT JOIN (\n"
        f"        SELECT {group} AS grp, RumEventName AS event, sum(events) AS weighted,"
        " sum(kept) AS kept\n"
        f"        FROM {tables.events_daily}\n"
        f"        WHERE {where}\n"
        "        GROUP BY grp, event\n"
        "    ) AS c ON s.grp = c.grp AND s.event = c.event\n"
        ")\n"
        f"WINDOW w AS ({partition}ORDER BY step"
        " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)\n"
        f"ORDER BY {'grp, ' if by else ''}step"
    )
    return Query(
        sql, [*([by] if by else []), "step", "event", "events", "kept", "of_first", "conversion"]
    )


def top_events_query(
    tables: RollupTables, filters: Filters, label: str = "", limit: int = 20, release: str = ""
) -> Query:
    """Custom events by weighted count, with their share of all events; with ``label``,
    one row per event and value of that label (``(other)``: over the daily budget)."""
    if not 1 <= limit <= 1000:
        raise ReportError(f"limit must be between 1 and 1000, got {limit}")
    if label and not LABEL_KEY.fullmatch(label):
        raise ReportError(f"label must be a label key (A-Za-z0-9_.-, up to 64), got {label!r}")
    keys = ["event", "label"] if label else ["event"]
    conditions = _event_conditions(filters, release)
    if label:
        conditions.append(f"arrayExists(x -> x.1 = {quote(label)}, labels)")
    value = f"arrayFirst(x -> x.1 = {quote(label)}, labels).2 AS label, " if label else ""
    sql = (
        f"SELECT RumEventName AS event, {value}toUInt64(round(sum(events))) AS count,\n"
        "       sum(kept) AS kept, round(sum(events) / sum(sum(events)) OVER (), 4) AS share,\n"
        "       uniqExact(RumRoute) AS routes\n"
        f"FROM {tables.events_daily}\n"
        f"WHERE {_and(conditions)}\n"
        f"GROUP BY {', '.join(keys)}\n"
        f"ORDER BY count DESC, {', '.join(keys)}\nLIMIT {int(limit)}"
    )
    columns = [*keys, "count", "kept", "share", "routes"]
    return Query(sql, columns)


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


def events(
    store: Store, filters: Filters, steps: list[str], release: str = "", by: str = ""
) -> Report:
    return run(store, events_query(_tables(store), dated(store, filters), steps, release, by))


def top_events(
    store: Store, filters: Filters, label: str = "", limit: int = 20, release: str = ""
) -> Report:
    query = top_events_query(_tables(store), dated(store, filters), label, limit, release)
    return run(store, query)


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
    days = MAX_DAYS if comparison.a_range else filters.days
    split = day_split(store, days, filters.today)
    return run(store, compare_query(tables, filters, comparison, split))
