"""``rum-server demo-data`` writes rows of the storage contract's exact shape, then settles."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from rum_server.cli.demo_data import Seed, generate
from rum_server.contract import EXPORTER_COLUMNS
from rum_server.settings import Settings
from rum_server.storage.store import Store
from rum_server.transform.labels import RESERVED_FUNNEL
from rum_server.transform.rows import ROW_COLUMNS
from tests.conftest import day_start_ns

NOW_NS = time.time_ns()
FIRST_CHUNK = next(generate(Seed(rows=6_000, days=5, site="seeded"), NOW_NS))
ROWS = list(zip(*FIRST_CHUNK.values(), strict=True))

EVERY_ROW_KEYS = {
    "rum.route", "rum.page.url", "rum.page_view.id", "rum.session.id", "rum.navigation.type",
    "rum.sample_rate", "rum.browser.name", "rum.browser.version", "rum.os.name",
    "rum.os.version", "rum.device.type",
}  # fmt: skip
EVENT_KEYS = {
    "rum.web_vital": {"rum.metric.name", "rum.metric.value", "rum.metric.delta",
                      "rum.metric.rating", "rum.metric.id"},
    "rum.error": {"rum.error.type", "rum.error.message", "rum.error.stack",
                  "rum.error.fingerprint", "rum.error.count", "rum.error.source",
                  "rum.error.file", "rum.error.line", "rum.error.column"},
    "rum.page_view": set(),
    "rum.event": {"rum.event.name"},
}  # fmt: skip
SEVERITY = {"rum.error": ("ERROR", 17)}


def rows_of(event_name: str) -> list[dict[str, Any]]:
    columns = list(ROW_COLUMNS)
    return [dict(zip(columns, row, strict=True)) for row in ROWS if row[-1] == event_name]


def test_columns_are_exactly_the_exporters() -> None:
    assert list(ROW_COLUMNS) == list(EXPORTER_COLUMNS)


@pytest.mark.parametrize("event_name", list(EVENT_KEYS))
def test_each_event_row_follows_storage_md(event_name: str) -> None:
    rows = rows_of(event_name)
    assert rows, f"no {event_name} rows generated"
    for row in rows:
        assert row["ScopeName"] == "deco.rum" and row["ServiceName"] == "seeded"
        assert (row["SeverityText"], row["SeverityNumber"]) == SEVERITY.get(event_name, ("INFO", 9))
        assert isinstance(row["Timestamp"], int)
        assert day_start_ns(NOW_NS, 5) <= row["Timestamp"] < day_start_ns(NOW_NS, 0)
        attributes = row["LogAttributes"]
        assert EVERY_ROW_KEYS | EVENT_KEYS[event_name] <= set(attributes)
        assert all(isinstance(value, str) and value != "" for value in attributes.values())
        resource = row["ResourceAttributes"]
        assert set(resource) == {
            "service.name", "service.version", "deployment.environment.name",
            "deployment.environment", "rum.sessionId",
        }  # fmt: skip
        assert row["TraceId"] == "" or re.fullmatch("[0-9a-f]{32}", row["TraceId"])


def test_vital_bodies_and_event_names() -> None:
    for row in rows_of("rum.web_vital"):
        attributes = row["LogAttributes"]
        name, value = attributes["rum.metric.name"], attributes["rum.metric.value"]
        unit = "" if name == "CLS" else " ms"
        rating = attributes["rum.metric.rating"]
        assert row["Body"] == f"{name} {value}{unit} {rating} {attributes['rum.route']}"
    names = {row["LogAttributes"]["rum.event.name"] for row in rows_of("rum.event")}
    assert names == set(RESERVED_FUNNEL)


def test_some_metric_ids_arrive_twice_with_a_rising_value() -> None:
    seen: dict[str, list[float]] = {}
    for row in sorted(rows_of("rum.web_vital"), key=lambda r: r["Timestamp"]):
        attributes = row["LogAttributes"]
        seen.setdefault(attributes["rum.metric.id"], []).append(
            float(attributes["rum.metric.value"])
        )
    repeated = [values for values in seen.values() if len(values) > 1]
    assert repeated and all(values == sorted(values) for values in repeated)


def test_the_command_seeds_and_settles(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "-m", "rum_server.cli.main", "demo-data", "--rows", "3000", "--days", "4",
         "--site", "cmd-shop", "--dsn", f"chdb://{data}"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stderr and "cmd-shop" in done.stderr
    store = Store(Settings(dsn=f"chdb://{data}"))
    try:
        rows = store.query("SELECT count() FROM otel.otel_logs WHERE ServiceName = 'cmd-shop'")
        settled = store.query("SELECT count() FROM otel.rum_vitals_settled FINAL")
        releases = store.query("SELECT count() FROM otel.rum_releases WHERE ServiceVersion != ''")
    finally:
        store.close()
    assert rows[0][0] >= 3000
    assert settled[0][0] == 4  # every day settles, today included
    assert releases[0][0] == 3


def test_bad_options_are_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rum_server.cli.main", "demo-data", "--rows", "0"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "rum-server: --rows must be positive and --days between 1 and 90"
    ]


def test_the_demo_funnel_loses_purchases_in_the_middle_release(tmp_path: Path) -> None:
    """The seeded story the funnel should tell: one release broke the payment step."""
    from rum_server.cli.demo_data import seed_store
    from rum_server.query import reports
    from rum_server.query.reports import Filters

    store = Store(Settings(dsn=f"chdb://{tmp_path / 'data'}"))
    try:
        store.ensure_schema()
        seed_store(store, Seed(rows=40_000, days=7, site="funnel"))
        releases = [row[0] for row in store.query(
            "SELECT ServiceVersion FROM otel.rum_releases ORDER BY first_seen"
        )]  # fmt: skip
        filters = Filters(site="funnel", days=7, metric="")
        steps = reports.funnel_steps("")
        paid = {
            release: reports.events(store, filters, steps, release).rows[-1]["conversion"]
            for release in releases
        }
        funnel = reports.events(store, filters, steps).rows
    finally:
        store.close()
    assert [row["event"] for row in funnel] == list(RESERVED_FUNNEL)
    events = [row["events"] for row in funnel]
    assert events == sorted(events, reverse=True) and events[-1] > 0
    broken = paid.pop(releases[1])
    assert broken < 0.5 < min(paid.values())
