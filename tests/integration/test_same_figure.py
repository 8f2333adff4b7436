"""The same question gets the same number on every surface, and that number is right.

One store of the demo generator's realistic rows (lognormal LCP/INP/TTFB, CLS with ~45%
exact zeros, some metric ids reported twice), each session kept at sample rate 1, 0.5
or 0.1. Then:

- **Right:** every p50/p75/p95 of ``vitals`` and every ``compare`` p75 is within 0.5%
  (the histogram's bound; the brief allows 1%) of the exact weighted quantile that
  plain Python computes from the rows the test generated (never from the store).
- **Same:** the CLI (``--format json``), the HTTP API, the Grafana panels and the
  cookbook's SQL (raw table and rollup, through ``rum-server sql``) give the same p75
  per route to the last digit; and the report's own SQL gives the same answer under
  any thread count and block size (the merge orders a t-digest was sensitive to).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import time
import zlib
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from rum_server.app import create_app
from rum_server.cli.demo_data import Rows, Seed, end_of_yesterday, sessions
from rum_server.cli.main import main
from rum_server.query import reports
from rum_server.query.reports import Comparison, Filters
from rum_server.settings import Settings
from rum_server.storage.histograms import DECIMALS, RELATIVE_ERROR, quantile
from rum_server.storage.rollups import settle
from rum_server.storage.sink import ClickHouseSink
from rum_server.storage.store import Store
from tests.integration.test_api import from_client
from tests.integration.test_grafana_dashboard import concrete, panel_sql
from tests.integration.test_grafana_matches_api import RATES

SITE = "demo-store"  # the cookbook's SQL names this site
DAYS = 7
QUERIES = Path(__file__).resolve().parents[2] / "docs" / "queries.md"
BOUND = RELATIVE_ERROR + 1e-9
"""How far a quantile may be from the exact one (relative), besides rounding to 4 decimals."""

Sample = tuple[float, int]
"""A measurement's value and its integer weight (round(1 / sample rate))."""


def sampled_rows(rows: int) -> dict[str, list[Any]]:
    """The demo's beacons over the window's days before today, each session's sent at one
    of RATES (chosen from its id, as a snippet samples whole sessions), through the
    ingest pipeline."""
    last_ns = end_of_yesterday(time.time_ns())
    built = Rows(Settings())
    for session in sessions(Seed(days=DAYS - 1, site=SITE), last_ns):
        if built.count >= rows:
            return built.take()
        for beacon in session:
            beacon.batch.rate = RATES[zlib.crc32(beacon.batch.sid.encode()) % len(RATES)]
            built.add(beacon, last_ns)
    raise AssertionError("sessions() is endless")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """A store of sampled demo rows (closed again, so each surface can open it), and the
    vitals it was given, as dicts for the Python side."""
    data_dir = tmp_path_factory.mktemp("same-figure") / "data"
    store = Store(Settings(dsn=f"chdb://{data_dir}"))
    try:
        store.ensure_schema()
        chunk = sampled_rows(30_000)
        ClickHouseSink(store).write(chunk)
        settle(store)
    finally:
        store.close()
    vitals = [
        {"ts": ts, **attributes, **resource}
        for ts, attributes, resource in zip(
            chunk["Timestamp"], chunk["LogAttributes"], chunk["ResourceAttributes"], strict=True
        )
        if "rum.metric.name" in attributes
    ]
    return data_dir, vitals


def last_values(vitals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each metric id once per day (the store's calendar: this process's zone), its last
    report winning, as the stage keeps them."""
    last: dict[tuple[str, str, object], dict[str, Any]] = {}
    for row in sorted(vitals, key=lambda row: row["ts"]):
        day = datetime.fromtimestamp(row["ts"] // 10**9).date()
        last[(row["rum.metric.name"], row["rum.metric.id"], day)] = row
    return list(last.values())


def sample(row: dict[str, Any]) -> Sample:
    return float(row["rum.metric.value"]), max(round(1 / float(row["rum.sample_rate"])), 1)


def exact_quantile(samples: list[Sample], level: float) -> float:
    """The weighted lower quantile: the first value, in order, whose running weight
    reaches ``level`` of the total (ClickHouse's ``quantileExactWeighted``)."""
    ordered = sorted(samples)
    total = sum(weight for _, weight in ordered)
    running = 0
    for value, weight in ordered:
        running += weight
        if running >= level * total:
            return value
    raise AssertionError("no samples")


def within_bound(got: float, exact: float) -> bool:
    return abs(got - exact) <= BOUND * exact + 0.5 * 10**-DECIMALS


def grouped(rows: list[dict[str, Any]], metric: str, key: str) -> dict[str, list[Sample]]:
    groups: dict[str, list[Sample]] = defaultdict(list)
    for row in rows:
        if row["rum.metric.name"] == metric:
            groups[row[key]].append(sample(row))
    return groups


@pytest.fixture
def store(generated: tuple[Path, list[dict[str, Any]]]) -> Iterator[Store]:
    """The store, open for one test (the last test's surfaces open it themselves)."""
    store = Store(Settings(dsn=f"chdb://{generated[0]}"))
    try:
        yield store
    finally:
        store.close()


@pytest.mark.parametrize("metric", ["LCP", "CLS", "INP", "TTFB"])
@pytest.mark.parametrize(("by", "key"), [("route", "rum.route"), ("device", "rum.device.type")])
def test_vitals_quantiles_are_within_half_a_percent_of_the_exact_weighted_ones(
    generated: tuple[Path, list[dict[str, Any]]], store: Store, metric: str, by: str, key: str
) -> None:
    expected = grouped(last_values(generated[1]), metric, key)
    report = reports.vitals(store, Filters(site=SITE, days=DAYS, metric=metric), by)
    assert {row[by] for row in report.rows} == set(expected)
    for row in report.rows:
        samples = expected[str(row[by])]
        assert row["kept"] == len(samples)
        for column, level in (("p50", 0.5), ("p75", 0.75), ("p95", 0.95)):
            exact = exact_quantile(samples, level)
            assert within_bound(float(row[column]), exact), (row[by], column, row[column], exact)


def test_cls_zeros_read_as_exactly_zero(
    generated: tuple[Path, list[dict[str, Any]]], store: Store
) -> None:
    cls = [sample(row) for row in last_values(generated[1]) if row["rum.metric.name"] == "CLS"]
    assert sum(1 for value, _ in cls if value == 0) > len(cls) / 4
    assert exact_quantile(cls, 0.25) == 0
    (row,) = store.query(
        f"SELECT {quantile('sumMap(histogram)', '0.25')}, {quantile('sumMap(histogram)', '0.75')}"
        f" FROM otel.rum_vitals_histograms WHERE ServiceName = '{SITE}' AND RumMetricName = 'CLS'"
    )
    assert row[0] == 0.0
    assert within_bound(row[1], exact_quantile(cls, 0.75))


def test_compare_p75s_are_within_half_a_percent_of_the_exact_weighted_ones(
    generated: tuple[Path, list[dict[str, Any]]], store: Store
) -> None:
    expected = grouped(last_values(generated[1]), "LCP", "service.version")
    releases = sorted(expected, key=len)
    report = reports.compare(
        store,
        Filters(site=SITE, days=DAYS, metric="LCP"),
        Comparison(a=releases[0], b=releases[1]),
    )
    (row,) = report.rows
    assert within_bound(float(row["p75_a"]), exact_quantile(expected[releases[0]], 0.75))
    assert within_bound(float(row["p75_b"]), exact_quantile(expected[releases[1]], 0.75))
    assert row["samples_a"] == sum(weight for _, weight in expected[releases[0]])


def test_the_reports_sql_answers_the_same_under_any_merge_order(store: Store) -> None:
    report = reports.vitals(store, Filters(site=SITE, days=DAYS, metric="CLS"), "route")
    answers = {
        json.dumps(store.client.query(report.sql, settings=settings).result_rows, default=str)
        for settings in (
            {"max_threads": 1},
            {"max_threads": 8, "max_block_size": 97},
            {"max_threads": 3, "max_block_size": 1000},
        )
    }
    assert len(answers) == 1


def cookbook_sql(title: str) -> str:
    """The ``sql`` block under a ``### title`` heading of docs/queries.md."""
    section = QUERIES.read_text().split(f"### {title}\n", 1)[1]
    found = re.search(r"```sql\n(.*?)```", section, flags=re.S)
    assert found, title
    return found.group(1)


def cli_json(data_dir: Path, *args: str) -> Any:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main([*args, "--dsn", f"chdb://{data_dir}"]) == 0
    return json.loads(out.getvalue())


def test_cli_api_grafana_and_cookbook_sql_print_the_same_p75s(
    generated: tuple[Path, list[dict[str, Any]]],
) -> None:
    data_dir = generated[0]
    answers: dict[str, dict[str, float]] = {}
    for metric in ("LCP", "CLS"):
        cli = cli_json(
            data_dir, "query", "vitals", "--metric", metric, "--by", "route", "--days", "7",
            "--site", SITE, "--format", "json",
        )  # fmt: skip
        answers[f"cli {metric}"] = {row["route"]: row["p75"] for row in cli["rows"]}
    for title in (
        "p75 per route, last 7 days, each metric id once (raw table)",
        "p75 per route, last 7 days (rollup: settled days)",
    ):
        rows = cli_json(data_dir, "sql", cookbook_sql(title), "--format", "json")["data"]
        answers[title] = {row["route"]: row["p75_ms"] for row in rows}
    app = create_app(Settings(dsn=f"chdb://{data_dir}"))
    with TestClient(app=from_client(app, "127.0.0.1"), base_url="http://127.0.0.1") as client:
        for metric in ("LCP", "CLS"):
            for call in range(3):  # and the same on every call
                response = client.get(
                    "/__deco/rum/api/vitals",
                    params={"site": SITE, "metric": metric, "by": "route", "days": "7"},
                )
                assert response.status_code == 200, response.text
                rows = response.json()["rows"]
                answers[f"api {metric} {call}"] = {row["route"]: row["p75"] for row in rows}
    store = Store(Settings(dsn=f"chdb://{data_dir}"))
    try:
        panel = store.client.query(
            concrete(panel_sql("p75 per route"), "all", DAYS, SITE, calendar_days=True)
        )
        rows = [dict(zip(panel.column_names, row, strict=True)) for row in panel.result_rows]
    finally:
        store.close()
    for metric in ("LCP", "CLS"):
        answers[f"grafana {metric}"] = {row["Route"]: row[f"{metric} p75"] for row in rows}

    lcp = {name: figures for name, figures in answers.items() if "CLS" not in name}
    cls = {name: figures for name, figures in answers.items() if "CLS" in name}
    assert len(lcp) == 7 and len(cls) == 5
    for group in (lcp, cls):
        first = next(iter(group.values()))
        assert len(first) >= 3 and not any(math.isnan(value) for value in first.values())
        for name, figures in group.items():
            assert figures == first, name
