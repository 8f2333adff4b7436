"""Report SQL builders, as text: inputs checked, values quoted, the right source chosen."""

from __future__ import annotations

from datetime import date

import pytest

from rum_server.query.reports import (
    Comparison,
    DateRange,
    Filters,
    ReportError,
    compare_query,
    errors_query,
    events_query,
    funnel_steps,
    latest_releases_query,
    pages_query,
    quote,
    sites_query,
    top_events_query,
    trend_query,
    vitals_query,
)
from rum_server.storage.rollups import DaySplit, RollupTables
from rum_server.transform.labels import RESERVED_FUNNEL

TABLES = RollupTables.in_database("otel")
SPLIT = DaySplit(rollup=(date(2026, 11, 27), date(2026, 11, 28)), stage=(date(2026, 11, 29),))


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("shop", "'shop'"),
        ("it's", "'it\\'s'"),
        ("back\\slash", "'back\\\\slash'"),
        ("x' OR 1=1 --", "'x\\' OR 1=1 --'"),
    ],
)
def test_quote_escapes_quotes_and_backslashes(value: str, literal: str) -> None:
    assert quote(value) == literal


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"days": 0}, "days must be between 1 and 400"),
        ({"days": 401}, "days must be between 1 and 400"),
        ({"metric": "lcp"}, "metric must be one of"),
        ({"device": "phone"}, "device must be one of"),
    ],
)
def test_filters_reject_bad_values(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ReportError, match=message):
        Filters(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-01..2026-11-07", DateRange(date(2026, 11, 1), date(2026, 11, 7))),
        ("2026-11-03", DateRange(date(2026, 11, 3), date(2026, 11, 3))),
    ],
)
def test_date_ranges_parse(text: str, expected: DateRange) -> None:
    assert DateRange.parse(text) == expected


@pytest.mark.parametrize("text", ["2026-11-07..2026-11-01", "last week", "2026-11-01..x"])
def test_bad_date_ranges_are_report_errors(text: str) -> None:
    with pytest.raises(ReportError):
        DateRange.parse(text)


@pytest.mark.parametrize(
    ("by", "column", "reads_rollup"),
    [
        ("route", "RumRoute", True),
        ("device", "RumDeviceType", True),
        ("browser", "RumBrowserName", True),
        ("release", "ServiceVersion", True),
    ],
)
def test_vitals_reads_the_rollup_when_it_has_the_grouping(
    by: str, column: str, reads_rollup: bool
) -> None:
    query = vitals_query(TABLES, Filters(site="shop", days=7, device="mobile"), by, SPLIT)
    assert query.columns[0] == by
    assert f"SELECT {column} AS {by}" in query.sql
    assert ("FROM otel.rum_vitals_histograms" in query.sql) is reads_rollup
    assert "FROM otel.rum_vitals_stage FINAL" in query.sql
    for condition in ("ServiceName = 'shop'", "RumMetricName = 'LCP'", "day >= today() - 6"):
        assert condition in query.sql
    assert "RumDeviceType = 'mobile'" in query.sql


@pytest.mark.parametrize(
    ("split", "rollup_days", "stage_days"),
    [
        (SPLIT, "day IN ('2026-11-27', '2026-11-28')", "day IN ('2026-11-29')"),
        (DaySplit(rollup=SPLIT.rollup, stage=()), "day IN ('2026-11-27', '2026-11-28')", None),
        (DaySplit(rollup=(), stage=()), None, ""),
    ],
    ids=["both", "all settled", "nothing settled"],
)
def test_vitals_reads_settled_days_from_the_rollup_and_the_rest_from_the_stage(
    split: DaySplit, rollup_days: str | None, stage_days: str | None
) -> None:
    sql = vitals_query(TABLES, Filters(), "route", split).sql
    assert ("FROM otel.rum_vitals_histograms" in sql) is (rollup_days is not None)
    assert ("FROM otel.rum_vitals_stage FINAL" in sql) is (stage_days is not None)
    for days in (rollup_days, stage_days):
        assert not days or days in sql
    assert sql.endswith("SETTINGS do_not_merge_across_partitions_select_final = 1")
    assert "ServiceName =" not in sql  # no site: every site


def test_vitals_rejects_unknown_groupings() -> None:
    with pytest.raises(ReportError, match="by must be one of"):
        vitals_query(TABLES, Filters(), "country")


def test_trend_joins_release_first_days() -> None:
    query = trend_query(TABLES, Filters(site="shop", metric=""))
    assert query.columns == ["day", "metric", "samples", "p75", "new_releases"]
    assert "RumMetricName =" not in query.sql
    assert "FROM otel.rum_releases" in query.sql


@pytest.mark.parametrize("limit", [0, 1001])
def test_errors_limit_is_bounded(limit: int) -> None:
    with pytest.raises(ReportError):
        errors_query(TABLES, Filters(), limit)


def test_pages_and_sites_read_their_rollups() -> None:
    assert "FROM otel.rum_page_views_daily" in pages_query(TABLES, Filters()).sql
    assert "FROM otel.rum_releases" in sites_query(TABLES).sql


def test_compare_releases_and_ranges() -> None:
    releases = compare_query(TABLES, Filters(site="s"), Comparison(a="r1", b="r'2", by="route"))
    assert "ServiceVersion IN ('r1', 'r\\'2')" in releases.sql
    assert releases.columns[0] == "route" and "verdict" in releases.columns
    ranges = Comparison(
        a_range=DateRange.parse("2026-11-01..2026-11-07"),
        b_range=DateRange.parse("2026-11-08..2026-11-14"),
    )
    by_days = compare_query(TABLES, Filters(), ranges).sql
    assert "day BETWEEN toDate('2026-11-01') AND toDate('2026-11-07')" in by_days
    assert "day >= today()" not in by_days  # the ranges are the window


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"a": "r1"}, "both releases"),
        ({"a_range": DateRange.parse("2026-11-01")}, "both date ranges"),
        ({"a": "r1", "b": "r2", "a_range": DateRange.parse("2026-11-01")}, "not both"),
        ({"by": "release"}, "compare by must be"),
    ],
)
def test_comparison_rejects_half_choices(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ReportError, match=message):
        Comparison(**kwargs)  # type: ignore[arg-type]


def test_the_funnel_reads_the_events_rollup_in_the_steps_order() -> None:
    query = events_query(TABLES, Filters(site="s"), ["view_product", "purchase"])
    assert "['view_product', 'purchase'][step]" in query.sql
    assert "FROM otel.rum_events_daily" in query.sql and "otel_logs" not in query.sql
    assert query.columns == ["step", "event", "events", "kept", "of_first", "conversion"]
    by_release = events_query(TABLES, Filters(), ["purchase"], by="release")
    assert by_release.columns[0] == "release" and "PARTITION BY grp" in by_release.sql
    with pytest.raises(ReportError, match="events by"):
        events_query(TABLES, Filters(), ["purchase"], by="browser")


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("", list(RESERVED_FUNNEL)),
        (" add_to_cart , purchase ", ["add_to_cart", "purchase"]),
    ],
)
def test_funnel_steps_default_to_the_reserved_funnel(text: str, steps: list[str]) -> None:
    assert funnel_steps(text) == steps


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (",", "non-empty event names"),
        (",".join(f"e{i}" for i in range(11)), "1 to 10"),
        ("view_product,Add To Cart", "'Add To Cart'"),
        ("purchase'; DROP TABLE x", "event names are"),
    ],
)
def test_funnel_steps_are_event_names(text: str, message: str) -> None:
    with pytest.raises(ReportError, match=message):
        funnel_steps(text)


def test_top_events_may_pivot_on_one_label() -> None:
    plain = top_events_query(TABLES, Filters(site="s"))
    assert plain.columns == ["event", "count", "kept", "share", "routes"]
    by_label = top_events_query(TABLES, Filters(site="s"), label="payment_type")
    assert by_label.columns[:2] == ["event", "label"]
    assert "arrayExists(x -> x.1 = 'payment_type', labels)" in by_label.sql
    with pytest.raises(ReportError, match="label must be"):
        top_events_query(TABLES, Filters(), label="a' OR 1")


@pytest.mark.parametrize(
    ("today", "first"),
    [
        (date(2026, 12, 31), "2026-12-25"),  # a year's last day
        (date(2027, 1, 2), "2026-12-27"),  # a window across the new year
        (date(2027, 3, 1), "2027-02-23"),  # across a month end (February)
        (date(2028, 3, 1), "2028-02-24"),  # … of a leap year
    ],
)
def test_a_given_today_makes_every_window_a_literal_range(today: date, first: str) -> None:
    """Time is an input: with ``today`` passed, no query depends on the store's clock."""
    window = f"BETWEEN toDate('{first}') AND toDate('{today}')"
    filters = Filters(site="shop", days=7, today=today)
    queries = [
        vitals_query(TABLES, filters, "route", SPLIT).sql,
        errors_query(TABLES, filters).sql,
        pages_query(TABLES, filters).sql,
        events_query(TABLES, filters, ["view_product"]).sql,
        top_events_query(TABLES, filters).sql,
    ]
    for sql in queries:
        assert window in sql and "today()" not in sql and "now()" not in sql
    assert (
        f"toDate(max(last_seen)) >= toDate('{first}')" in latest_releases_query(TABLES, filters).sql
    )
