"""dashboards/site-rum.json: valid Grafana JSON whose every query runs on a real store.

Grafana's macros and variables are replaced with concrete SQL, then each panel's
query runs against an embedded ClickHouse seeded with a handful of rows whose
answers are known (a metric id reported twice counts once, with its last value).
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rum_server.settings import Settings
from rum_server.storage.histograms import DECIMALS, GROWTH
from rum_server.storage.sink import ClickHouseSink
from rum_server.storage.store import Store
from rum_server.transform.rows import ROW_COLUMNS
from tests.support.beacons import Beacons, error, page_view

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboards" / "site-rum.json"
SITE = "shop"
DAY_NS = 86_400 * 10**9
NOW_NS = time.time_ns()
"""The test's clock: rows are aged from it and Grafana's time range ends at it (time is an
input, so the test holds when the clock is moved, even where the store's own clock is not)."""
NOW_SQL = f"fromUnixTimestamp64Nano(toInt64({NOW_NS}))"


def bucketed(value: float) -> float:
    """What a p75 of exactly ``value`` reads as: its histogram bucket's representative
    (histograms.py), rounded like every surface; within 0.5% of ``value``."""
    index = math.ceil(math.log(value) / math.log(GROWTH))
    return round(GROWTH**index * 2 / (GROWTH + 1), DECIMALS)


def load_dashboard() -> dict[str, Any]:
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return dashboard


def all_panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every panel, including those nested in collapsed rows."""
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels", []))


def panel_queries() -> list[tuple[str, str]]:
    """(panel title, SQL) for every query target of every panel."""
    queries = []
    for panel in all_panels(load_dashboard()["panels"]):
        for query in panel.get("targets", []):
            queries.append((panel["title"], query["rawSql"]))
    return queries


def concrete(
    sql: str, device: str = "all", days: int = 30, site: str = SITE, calendar_days: bool = False
) -> str:
    """What Grafana would send: macros and variables replaced by plain SQL.

    ``calendar_days``: the range is the API's, today and the ``days - 1`` days before it.
    """
    start = (
        f"toDate(Timestamp) >= toDate({NOW_SQL}) - {days - 1}"
        if calendar_days
        else f"Timestamp >= {NOW_SQL} - INTERVAL {days} DAY"
    )
    replacements = {
        "$__timeFilter(Timestamp)": f"{start} AND Timestamp <= {NOW_SQL} + INTERVAL 1 HOUR",
        "${site:singlequote}": f"'{site}'",
        "${device}": device,
    }
    for macro, value in replacements.items():
        sql = sql.replace(macro, value)
    assert "$" not in sql, f"a Grafana macro or variable is left unreplaced in: {sql}"
    return sql


def ago(days: float) -> int:
    return NOW_NS - int(days * DAY_NS)


def foreign_row(site: str) -> dict[str, Any]:
    """A row another OpenTelemetry producer wrote to the same table (a Collector's own
    logs): no rum.* attributes, not from the snippet's scope."""
    return {
        "Timestamp": ago(1.0), "TraceId": "", "SpanId": "", "TraceFlags": 0,
        "SeverityText": "INFO", "SeverityNumber": 9, "ServiceName": site, "Body": "started",
        "ResourceSchemaUrl": "", "ResourceAttributes": {"service.name": site},
        "ScopeSchemaUrl": "", "ScopeName": "otelcol", "ScopeVersion": "0.1.0",
        "ScopeAttributes": {}, "LogAttributes": {}, "EventName": "",
    }  # fmt: skip


def seed_rows() -> list[dict[str, Any]]:
    """Beacons through the ingest pipeline, plus one row of another producer."""
    beacons = Beacons(SITE, release="v1")
    # The same LCP id twice: only the later value (3000, needs-improvement) counts.
    beacons.vital("LCP", 1000, "lcp-1", ago(2.0))
    beacons.vital("LCP", 3000, "lcp-1", ago(1.99))
    beacons.vital("LCP", 5000, "lcp-2", ago(1.0), "/p", device="desktop", release="v2")
    beacons.vital("INP", 120, "inp-1", ago(1.0))
    beacons.vital("CLS", 0.02, "cls-1", ago(1.0), "/p", device="desktop")
    beacons.vital("FCP", 900, "fcp-1", ago(1.0))
    beacons.vital("TTFB", 300, "ttfb-1", ago(1.0))
    beacons.add(page_view(ago(1.0)), session="a")
    beacons.add(page_view(ago(1.0)), route="/p", device="desktop", session="b", rate=0.5)
    beacons.add({**error("x is undefined", ago(0.5)), "n": 3}, session="a")
    # Not from the snippet: must not appear in the site picker.
    return [*as_rows(beacons.columns()), foreign_row("collector-app")]


def as_rows(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def seeded_store(data_dir: Path, rows: list[dict[str, Any]]) -> Iterator[Store]:
    """An embedded store with our schema and ``rows``, closed when the caller is done."""
    store = Store(Settings(dsn=f"chdb://{data_dir}"))
    try:
        store.ensure_schema()
        columns = {name: [row[name] for row in rows] for name in ROW_COLUMNS}
        ClickHouseSink(store).write(columns)
        yield store
    finally:
        store.close()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    yield from seeded_store(tmp_path_factory.mktemp("grafana") / "data", seed_rows())


def run(store: Store, sql: str) -> list[dict[str, Any]]:
    result = store.client.query(sql)
    return [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]


def panel_sql(title: str) -> str:
    matches = [sql for panel_title, sql in panel_queries() if panel_title == title]
    assert len(matches) == 1, f"expected one query in panel {title!r}"
    return matches[0]


# ------------------------------------------------------------------ structure


def test_dashboard_is_templated_by_datasource_site_and_device() -> None:
    dashboard = load_dashboard()
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "grafana-clickhouse-datasource"
    assert "SELECT DISTINCT ServiceName FROM otel.otel_logs" in variables["site"]["query"]["rawSql"]
    assert [o["value"] for o in variables["device"]["options"]] == [
        "all",
        "mobile",
        "desktop",
        "tablet",
    ]
    assert dashboard["uid"] == "deco-rum-site"


@pytest.mark.parametrize(
    "panel", [p for p in all_panels(load_dashboard()["panels"]) if p["type"] != "row"], ids=str
)
def test_every_panel_reads_the_chosen_clickhouse_datasource(panel: dict[str, Any]) -> None:
    source = {"type": "grafana-clickhouse-datasource", "uid": "${datasource}"}
    assert panel["datasource"] == source
    assert panel["targets"]
    for query in panel["targets"]:
        assert query["datasource"] == source
        assert query["editorType"] == "sql"
        assert "otel.otel_logs" in query["rawSql"]


def test_panels_do_not_overlap_on_the_grid() -> None:
    assert_no_overlap(load_dashboard())


def assert_no_overlap(dashboard: dict[str, Any]) -> None:
    """Every panel inside the 24-column grid, none on another's cells."""
    cells: set[tuple[int, int]] = set()
    for panel in all_panels(dashboard["panels"]):
        pos = panel["gridPos"]
        area = {
            (x, y)
            for x in range(pos["x"], pos["x"] + pos["w"])
            for y in range(pos["y"], pos["y"] + pos["h"])
        }
        assert not cells & area, f"panel {panel['title']!r} overlaps another"
        assert pos["x"] + pos["w"] <= 24
        cells |= area


@pytest.mark.parametrize(
    "title",
    [
        "p75 per vital",
        "Rating distribution",
        "Mobile vs desktop",
        "p75 per route",
        "Page views per route",
        "LCP daily p75",
        "INP daily p75",
        "CLS daily p75",
        "FCP daily p75",
        "TTFB daily p75",
        "Top errors",
    ],
)
def test_the_expected_panels_exist(title: str) -> None:
    assert panel_sql(title)


# ------------------------------------------------------------------ every query runs


@pytest.mark.parametrize(("title", "sql"), panel_queries(), ids=[t for t, _ in panel_queries()])
def test_every_panel_query_runs_and_answers(store: Store, title: str, sql: str) -> None:
    rows = run(store, concrete(sql))
    assert rows, f"panel {title!r} answered no row on seeded data"
    run(store, concrete(sql, device="tablet"))  # parses and runs with a device chosen too


def test_variable_and_annotation_queries_run(store: Store) -> None:
    dashboard = load_dashboard()
    site_query = next(v for v in dashboard["templating"]["list"] if v["name"] == "site")
    sites = [row["ServiceName"] for row in run(store, concrete(site_query["query"]["rawSql"]))]
    assert sites == [SITE]
    releases = next(a for a in dashboard["annotations"]["list"] if "target" in a)
    rows = run(store, concrete(releases["target"]["rawSql"]))
    assert [row["tags"] for row in rows] == ["v1", "v2"]
    assert rows[0]["time"] < rows[1]["time"]


# ------------------------------------------------------------------ the numbers


def test_route_table_counts_each_metric_id_once_with_its_last_value(store: Store) -> None:
    rows = {row["Route"]: row for row in run(store, concrete(panel_sql("p75 per route")))}
    assert rows["/"]["LCP kept"] == 1
    assert rows["/"]["LCP p75"] == bucketed(3000)
    assert rows["/p"]["LCP p75"] == bucketed(5000)
    assert rows["/"]["INP p75"] == bucketed(120)
    assert rows["/"]["CLS kept"] == 0
    assert rows["/"]["CLS p75"] is None  # no sample: empty, not NaN
    assert rows["/p"]["CLS p75"] == bucketed(0.02)


@pytest.mark.parametrize(
    ("device", "routes"),
    [("all", {"/", "/p"}), ("mobile", {"/"}), ("desktop", {"/p"}), ("tablet", set())],
)
def test_device_variable_filters_routes(store: Store, device: str, routes: set[str]) -> None:
    rows = run(store, concrete(panel_sql("p75 per route"), device=device))
    assert {row["Route"] for row in rows} == routes


def test_rating_distribution_uses_the_last_rating(store: Store) -> None:
    rows = {row["Vital"]: row for row in run(store, concrete(panel_sql("Rating distribution")))}
    assert list(rows) == ["LCP", "INP", "CLS", "FCP", "TTFB"]
    assert rows["LCP"]["good"] == 0
    assert rows["LCP"]["needs improvement"] == pytest.approx(0.5)
    assert rows["LCP"]["poor"] == pytest.approx(0.5)
    assert rows["LCP"]["samples"] == 2


def test_mobile_vs_desktop(store: Store) -> None:
    rows = {row["Vital"]: row for row in run(store, concrete(panel_sql("Mobile vs desktop")))}
    assert rows["LCP"]["mobile p75"] == bucketed(3000)
    assert rows["LCP"]["desktop p75"] == bucketed(5000)
    assert rows["LCP"]["mobile samples"] == 1
    assert rows["CLS"]["desktop p75"] == bucketed(0.02)
    assert rows["CLS"]["mobile p75"] is None


def test_page_views_are_weighted_by_sample_rate(store: Store) -> None:
    rows = run(store, concrete(panel_sql("Page views per route")))
    assert [(row["Route"], row["Page views"]) for row in rows] == [("/p", 2), ("/", 1)]


def test_top_errors(store: Store) -> None:
    (row,) = run(store, concrete(panel_sql("Top errors")))
    assert (row["Type"], row["Occurrences"], row["Page views"]) == ("TypeError", 3, 1)
    assert re.fullmatch("[0-9a-f]{16}", row["Fingerprint"])  # the server's fingerprint


def test_lcp_trend_has_one_point_per_day(store: Store) -> None:
    rows = run(store, concrete(panel_sql("LCP daily p75")))
    assert sum(row["samples"] for row in rows) == 2
    assert len(rows) == len({row["time"] for row in rows})


def test_summary_stat_has_one_p75_per_vital(store: Store) -> None:
    (row,) = run(store, concrete(panel_sql("p75 per vital")))
    assert list(row) == ["LCP", "INP", "CLS", "FCP", "TTFB"]
    assert 3000 <= row["LCP"] <= 5000  # the two last values, never the superseded 1000
    assert (row["INP"], row["FCP"], row["TTFB"]) == tuple(map(bucketed, (120, 900, 300)))
    assert row["CLS"] == bucketed(0.02)
