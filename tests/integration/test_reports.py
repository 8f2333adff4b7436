"""Reports on a real embedded store, checked against numpy over the very values inserted."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rum_server.query import reports
from rum_server.query.reports import Comparison, DateRange, Filters, ReportError
from rum_server.settings import Settings
from rum_server.storage.histograms import RELATIVE_ERROR
from rum_server.storage.rollups import RollupTables, settle
from rum_server.storage.store import Store
from tests.conftest import day_start_ns, local_day
from tests.support.beacons import Beacons, custom_event, error, page_view

NOW_NS = time.time_ns()
TODAY = local_day(NOW_NS)
"""The reports' window ends on the day the rows were made: time is an input, so a run
that crosses midnight (or a month, a year, a DST change) checks the same days."""
DAY_OFFSETS = (5, 3, 0)
"""Days of the seeded values: the window holds all three, a one-day window only today."""
ROUTES = {"/": 1800.0, "/_products/$slug/p": 2600.0}
DEVICES = {"mobile": 1.4, "desktop": 0.8}
PER_GROUP_AND_DAY = 700


def at_day(offset: int, seconds: float = 3600.0) -> int:
    """A time ``offset`` days before today, ``seconds`` after that day's midnight."""
    return min(day_start_ns(NOW_NS, offset) + int(seconds * 1e9), NOW_NS - 1)


@pytest.fixture(scope="module")
def known(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, dict[Any, Any]]]:
    """LCP values per (route, device) over settled and open days, and the store holding them."""
    path: Path = tmp_path_factory.mktemp("reports") / "data"
    store = Store(Settings(dsn=f"chdb://{path}"))
    store.ensure_schema()
    rng = np.random.default_rng(7)
    rows = Beacons("known")
    values: dict[Any, list[float]] = {}
    for offset in DAY_OFFSETS:
        for route, median in ROUTES.items():
            for device, factor in DEVICES.items():
                draws = np.round(rng.lognormal(np.log(median * factor), 0.5, PER_GROUP_AND_DAY))
                values.setdefault((route, device), []).extend(draws.tolist())
                for i, value in enumerate(draws):
                    ts = at_day(offset, seconds=60 + i)
                    metric_id = f"{offset}-{route.count('/')}-{device}-{i}"
                    rows.vital("LCP", float(value), metric_id, ts, route, device=device)
    rows.insert(store)
    settle(store)
    yield store, values
    store.close()


def percentile(values: list[float], q: float = 75) -> float:
    return float(np.percentile(np.array(values), q))


def test_every_day_is_settled_into_the_rollup(known: Any) -> None:
    store, _ = known
    tables = RollupTables.in_database("otel")
    settled = store.query(f"SELECT count() FROM {tables.settled_days} FINAL")
    rollup_days = store.query(f"SELECT count(DISTINCT day) FROM {tables.vitals_daily}")
    assert settled == rollup_days == [(len(DAY_OFFSETS),)]


def test_rows_after_a_settle_are_answered_at_once(known: Any) -> None:
    store, _ = known
    rows = Beacons("fresh")
    rows.vital("LCP", 1000.0, "fresh-1", at_day(0, 10))
    rows.insert(store)
    settle(store)
    rows.vital("LCP", 3000.0, "fresh-2", at_day(0, 20))
    rows.insert(store)  # not settled: today's stage changed, so today is read from it
    report = reports.vitals(store, Filters(today=TODAY, site="fresh", days=1), "route")
    assert report.rows[0]["samples"] == 2
    assert report.rows[0]["p95"] == pytest.approx(3000.0, rel=0.01)


@pytest.mark.parametrize("by", ["route", "device"])
def test_vitals_p75_matches_numpy_within_one_percent(known: Any, by: str) -> None:
    store, values = known
    report = reports.vitals(store, Filters(today=TODAY, site="known", days=7), by)
    position = 0 if by == "route" else 1
    expected: dict[str, list[float]] = {}
    for key, group in values.items():
        expected.setdefault(key[position], []).extend(group)
    assert {row[by] for row in report.rows} == set(expected)
    for row in report.rows:
        group = expected[str(row[by])]
        assert row["samples"] == len(group)
        assert row["p75"] == pytest.approx(percentile(group), rel=0.01)
        assert row["p50"] == pytest.approx(percentile(group, 50), rel=0.01)
        poor = sum(1 for v in group if v > 4000) / len(group)  # web-vitals' LCP bound
        assert row["poor"] == pytest.approx(poor, abs=1e-4)


def test_vitals_device_filter_and_browser_grouping_read_the_stage(known: Any) -> None:
    store, values = known
    report = reports.vitals(
        store, Filters(today=TODAY, site="known", days=7, device="mobile"), "browser"
    )
    mobile = [v for (_, device), group in values.items() if device == "mobile" for v in group]
    assert [row["browser"] for row in report.rows] == ["Chrome Mobile"]
    assert report.rows[0]["samples"] == len(mobile)
    assert report.rows[0]["p75"] == pytest.approx(percentile(mobile), rel=0.01)


def test_window_of_one_day_reads_only_today(known: Any) -> None:
    store, values = known
    report = reports.vitals(store, Filters(today=TODAY, site="known", days=1), "route")
    assert sum(int(str(row["samples"])) for row in report.rows) == len(values) * PER_GROUP_AND_DAY


def test_rollup_answer_agrees_with_the_analysts_raw_query(known: Any) -> None:
    store, _ = known
    raw = store.query(
        "SELECT LogAttributes['rum.route'] AS route,"
        " quantileTDigest(0.75)(toFloat64OrNull(LogAttributes['rum.metric.value'])) AS p75,"
        " count() AS samples FROM otel.otel_logs WHERE EventName = 'rum.web_vital'"
        " AND ServiceName = 'known' AND LogAttributes['rum.metric.name'] = 'LCP'"
        " AND Timestamp >= now() - INTERVAL 7 DAY GROUP BY route"
    )
    rollup = {
        row["route"]: row for row in reports.vitals(store, Filters("known", 7, today=TODAY)).rows
    }
    for route, p75, samples in raw:
        assert rollup[route]["samples"] == samples
        assert rollup[route]["p75"] == pytest.approx(p75, rel=0.01)


def test_trend_has_one_row_per_day_and_metric(known: Any) -> None:
    store, values = known
    report = reports.trend(store, Filters(today=TODAY, site="known", days=7, metric="LCP"))
    assert len(report.rows) == len(DAY_OFFSETS)
    assert all(row["samples"] == len(values) * PER_GROUP_AND_DAY for row in report.rows)


@pytest.fixture
def store(known: Any) -> Store:
    """The module's store (chdb opens one data directory per process); tests use own sites."""
    return known[0]  # type: ignore[no-any-return]


@pytest.mark.parametrize("offset", [0, 4], ids=["open day", "settled day"])
def test_each_metric_id_counts_once_with_its_last_value(store: Store, offset: int) -> None:
    rows = Beacons(f"dedup-{offset}")
    for step, value in enumerate([0.05, 0.09, 0.12]):  # hidden, shown, hidden again …
        rows.vital("CLS", value, "v5-same-id", at_day(offset, 100 + step))
        rows.insert(store)  # … each report in its own beacon
    rows.vital("CLS", 0.01, "v5-other-id", at_day(offset, 50))
    rows.insert(store)
    settle(store)
    report = reports.vitals(
        store, Filters(today=TODAY, site=f"dedup-{offset}", metric="CLS"), "route"
    )
    assert report.rows[0]["samples"] == 2
    assert report.rows[0]["p95"] == pytest.approx(0.12, rel=RELATIVE_ERROR)
    rows.vital("CLS", 0.2, "v5-same-id", at_day(offset, 200))  # a late report after settling
    rows.insert(store)
    settle(store)
    again = reports.vitals(
        store, Filters(today=TODAY, site=f"dedup-{offset}", metric="CLS"), "route"
    )
    assert again.rows[0]["samples"] == 2
    assert again.rows[0]["p95"] == pytest.approx(0.2, rel=RELATIVE_ERROR)


def test_counts_are_weighted_by_the_sample_rate(store: Store) -> None:
    rows = Beacons("sampled")
    for i in range(10):
        rows.vital("LCP", 1000.0 + i, f"id-{i}", at_day(0, 10 + i), rate=0.1)
    rows.insert(store)
    report = reports.vitals(store, Filters(today=TODAY, site="sampled"), "route")
    assert report.rows[0]["samples"] == 100


def test_compare_finds_a_regression_and_not_noise(store: Store) -> None:
    rng = np.random.default_rng(3)
    rows = Beacons("cmp")
    samples = {
        "base": rng.lognormal(np.log(2000), 0.5, 1500),
        "same": rng.lognormal(np.log(2000), 0.5, 1500),
        "slow": rng.lognormal(np.log(2400), 0.5, 1500),
    }
    for release, draws in samples.items():
        for i, value in enumerate(draws):
            rows.vital("LCP", round(float(value)), f"{release}-{i}", at_day(0, i), release=release)
    rows.insert(store)
    filters = Filters(today=TODAY, site="cmp")
    slow = reports.compare(store, filters, Comparison(a="base", b="slow")).rows[0]
    assert slow["verdict"] == "regressed" and slow["significant"] is True
    assert slow["p75_a"] == pytest.approx(percentile(list(samples["base"])), rel=0.01)
    assert slow["change_pct"] == pytest.approx(20, abs=6)
    same = reports.compare(store, filters, Comparison(a="base", b="same")).rows[0]
    assert same["verdict"] == "no significant change"
    low, high = same["change_low"], same["change_high"]
    assert isinstance(low, float) and isinstance(high, float) and low < 0 < high


def test_compare_without_releases_takes_the_two_newest(store: Store) -> None:
    rows = Beacons("latest")
    for i in range(40):
        rows.vital("LCP", 1000.0 + i, f"old-{i}", at_day(2, i), release="old")
        rows.vital("LCP", 1500.0 + i, f"new-{i}", at_day(0, i), release="new")
    rows.insert(store)
    report = reports.compare(store, Filters(today=TODAY, site="latest"), Comparison())
    assert (report.rows[0]["a"], report.rows[0]["b"]) == ("old", "new")
    old_day = TODAY - timedelta(days=2)
    ranges = Comparison(a_range=DateRange(old_day, old_day), b_range=DateRange.parse(f"{TODAY}"))
    by_days = reports.compare(store, Filters(today=TODAY, site="latest"), ranges).rows[0]
    assert by_days["p75_a"] == pytest.approx(1029, rel=RELATIVE_ERROR)
    assert by_days["p75_b"] == pytest.approx(1529, rel=RELATIVE_ERROR)
    with pytest.raises(ReportError, match="both releases"):
        Comparison(a="old")


def test_errors_pages_events_and_sites(store: Store) -> None:
    beacons = Beacons("shop")
    for session, reached in (("a", 3), ("b", 2), ("c", 1)):
        beacons.add(page_view(at_day(0)), route="/cart", session=session)
        for step, name in enumerate(["view_product", "add_to_cart", "purchase"][:reached]):
            event = custom_event(name, at_day(0, 100 + step), currency="BRL")
            beacons.add(event, route="/cart", session=session)
        beacons.add(error("boom", at_day(0, 50)), route="/cart", session=session, rate=0.5)
    beacons.insert(store)
    filters = Filters(today=TODAY, site="shop", metric="")
    errors = reports.errors(store, filters).rows
    assert sum(int(str(row["page_views"])) for row in errors) == 6  # 3 rows at rate 0.5
    assert reports.pages(store, filters).rows == [
        {"route": "/cart", "page_views": 3, "sessions": 3}
    ]
    funnel = reports.events(store, filters, ["view_product", "add_to_cart", "purchase"]).rows
    assert [row["events"] for row in funnel] == [3, 2, 1]
    assert [row["conversion"] for row in funnel] == [1.0, pytest.approx(0.6667), 0.5]
    assert funnel[2]["of_first"] == pytest.approx(0.3333)
    top = reports.top_events(store, filters, label="currency").rows
    assert [(row["event"], row["label"], row["count"]) for row in top] == [
        ("view_product", "BRL", 3),
        ("add_to_cart", "BRL", 2),
        ("purchase", "BRL", 1),
    ]
    assert "shop" in [row["site"] for row in reports.sites(store).rows]
