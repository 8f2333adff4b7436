"""Every Grafana panel's figures equal the API's on a sampled store.

Sessions are kept at sample rates 1, 0.5 and 0.1, so every count the dashboard
shows must be weighted by 1 / sample rate exactly as the API's reports weight it
(a panel that counted rows would be off by up to ten times). Counts and p75s must
match exactly: the API merges the rollup's per-day histograms, the panel builds one
histogram over the raw rows, and histograms merge exactly in any order.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from rum_server.cli.demo_data import Rows, Seed, end_of_yesterday, sessions
from rum_server.query import reports
from rum_server.query.reports import Filters
from rum_server.settings import Settings
from rum_server.storage.rollups import settle
from rum_server.storage.sink import ClickHouseSink
from rum_server.storage.store import Store
from tests.integration.test_grafana_dashboard import concrete, panel_sql

SITE = "sampled-shop"
DAYS = 7
RATES = (1.0, 0.5, 0.1)
METRICS = ("LCP", "INP", "CLS", "FCP", "TTFB")


def sampled_rows(rows: int) -> dict[str, list[Any]]:
    """The demo's beacons, each session's sent at one of RATES (chosen from its id, as a
    snippet samples whole sessions), through the ingest pipeline."""
    last_ns = end_of_yesterday(time.time_ns())
    built = Rows(Settings())
    for session in sessions(Seed(days=DAYS, site=SITE), last_ns):
        if built.count >= rows:
            return built.take()
        for beacon in session:
            beacon.batch.rate = RATES[zlib.crc32(beacon.batch.sid.encode()) % len(RATES)]
            built.add(beacon, last_ns)
    raise AssertionError("sessions() is endless")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    data_dir = tmp_path_factory.mktemp("grafana-api") / "data"
    store = Store(Settings(dsn=f"chdb://{data_dir}"))
    try:
        store.ensure_schema()
        sink = ClickHouseSink(store)
        sink.write(sampled_rows(8_000))
        settle(store)
        rates = store.query("SELECT DISTINCT RumSampleRate FROM otel.otel_logs ORDER BY 1")
        assert [row[0] for row in rates] == [0.1, 0.5, 1.0]
        yield store
    finally:
        store.close()


def grafana(store: Store, title: str, device: str = "all") -> list[dict[str, Any]]:
    """The panel's query as Grafana sends it, over the API's window of calendar days."""
    sql = concrete(panel_sql(title), device, DAYS, SITE, calendar_days=True)
    result = store.client.query(sql)
    return [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]


def api(store: Store, report: str, metric: str = "", device: str = "", **extra: Any) -> Any:
    filters = Filters(site=SITE, days=DAYS, metric=metric, device=device)
    return getattr(reports, report)(store, filters, **extra).rows


def close(panel: float | None, report: Any) -> bool:
    """The same figure, to the last digit (no tolerance)."""
    return panel is not None and panel == report


def test_page_views_per_route(store: Store) -> None:
    panel = {row["Route"]: row["Page views"] for row in grafana(store, "Page views per route")}
    expected = {row["route"]: row["page_views"] for row in api(store, "pages")}
    assert panel and panel == dict(list(expected.items())[: len(panel)])


def test_top_errors(store: Store) -> None:
    panel = {
        row["Fingerprint"]: (row["Occurrences"], row["Page views"], row["Type"])
        for row in grafana(store, "Top errors")
    }
    expected = {
        row["fingerprint"]: (row["count"], row["page_views"], row["type"])
        for row in api(store, "errors", limit=25)
    }
    assert panel and panel == expected
    assert any(occurrences != page_views for occurrences, page_views, _ in panel.values())


@pytest.mark.parametrize("metric", METRICS)
def test_route_table(store: Store, metric: str) -> None:
    panel = {row["Route"]: row for row in grafana(store, "p75 per route")}
    for row in api(store, "vitals", metric=metric, by="route"):
        assert panel[row["route"]][f"{metric} kept"] == row["kept"]
        assert close(panel[row["route"]][f"{metric} p75"], row["p75"]), (row, panel[row["route"]])


@pytest.mark.parametrize("metric", METRICS)
def test_mobile_vs_desktop(store: Store, metric: str) -> None:
    (panel,) = [row for row in grafana(store, "Mobile vs desktop") if row["Vital"] == metric]
    by_device = {row["device"]: row for row in api(store, "vitals", metric=metric, by="device")}
    for device in ("mobile", "desktop"):
        assert panel[f"{device} samples"] == by_device[device]["samples"]
        assert close(panel[f"{device} p75"], by_device[device]["p75"])


@pytest.mark.parametrize("device", ["mobile", "desktop"])
def test_p75_per_vital_and_rating_shares(store: Store, device: str) -> None:
    (stat,) = grafana(store, "p75 per vital", device)
    ratings = {row["Vital"]: row for row in grafana(store, "Rating distribution", device)}
    for metric in METRICS:
        (row,) = api(store, "vitals", metric=metric, device=device, by="device")
        assert close(stat[metric], row["p75"]), (metric, stat[metric], row["p75"])
        assert ratings[metric]["samples"] == row["samples"]
        assert ratings[metric]["kept"] == row["kept"]
        for share in ("good", "needs_improvement", "poor"):
            panel_share = ratings[metric][share.replace("_", " ")]
            assert panel_share == pytest.approx(row[share], abs=1e-4)


@pytest.mark.parametrize("metric", METRICS)
def test_daily_p75_and_samples(store: Store, metric: str) -> None:
    panel = {row["time"].date().isoformat(): row for row in grafana(store, f"{metric} daily p75")}
    expected = {row["day"]: row for row in api(store, "trend") if row["metric"] == metric}
    assert panel.keys() == expected.keys()
    for day, row in expected.items():
        assert panel[day]["samples"] == row["samples"]
        assert close(panel[day][f"{metric} p75"], row["p75"]), (day, panel[day], row)
