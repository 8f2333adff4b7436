"""``rum-server demo-data`` sends wire beacons through the ingest's own pipeline: its rows are
the ones a server stores for the same beacons, of the storage contract's exact shape."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from rum_server.app import create_app
from rum_server.cli.demo_data import (
    BROWSERS,
    Rows,
    Seed,
    end_of_yesterday,
    generate,
    sessions,
    user_agent,
)
from rum_server.settings import Settings
from rum_server.storage.store import Store
from rum_server.transform.labels import RESERVED_FUNNEL
from rum_server.transform.rows import ROW_COLUMNS
from rum_server.transform.user_agent import parse_user_agent
from tests.conftest import day_start_ns, make_settings

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


def test_the_chunks_fill_exactly_the_tables_columns(tmp_path: Path) -> None:
    with Store(Settings(dsn=f"chdb://{tmp_path / 'data'}")) as store:
        store.ensure_schema()
        table = store.query(
            "SELECT name FROM system.columns WHERE database = 'otel' AND table = 'otel_logs' "
            "AND default_kind NOT IN ('MATERIALIZED', 'ALIAS') ORDER BY position"
        )
    assert list(FIRST_CHUNK) == [name for (name,) in table]


def stored(store: Store) -> list[dict[str, Any]]:
    columns = ", ".join(
        "toUnixTimestamp64Nano(Timestamp)" if name == "Timestamp" else name for name in ROW_COLUMNS
    )
    rows = store.query(f"SELECT {columns} FROM otel.otel_logs")
    return [dict(zip(ROW_COLUMNS, row, strict=True)) for row in rows]


def comparable(rows: list[dict[str, Any]]) -> list[str]:
    """Each row with its Timestamp as the distance from its page view's newest row (a server
    takes the receive time from its own clock), sorted."""
    newest: dict[str, int] = {}
    for row in rows:
        page_view = row["LogAttributes"]["rum.page_view.id"]
        newest[page_view] = max(newest.get(page_view, 0), row["Timestamp"])
    return sorted(
        repr(sorted({
            **row, "Timestamp": newest[row["LogAttributes"]["rum.page_view.id"]] - row["Timestamp"],
            "LogAttributes": sorted(row["LogAttributes"].items()),
            "ResourceAttributes": sorted(row["ResourceAttributes"].items()),
        }.items()))
        for row in rows
    )  # fmt: skip


def test_a_server_stores_the_rows_demo_data_writes_for_the_same_beacons(tmp_path: Path) -> None:
    """One row builder: every demo beacon POSTed to the app is accepted whole, and the app
    stores exactly the rows demo-data writes for it (but for the time it was received)."""
    settings = make_settings(tmp_path / "data")
    last_ns = end_of_yesterday(NOW_NS)
    beacons = list(itertools.chain(*itertools.islice(sessions(Seed(site="posted"), last_ns), 40)))
    demo = Rows(settings)
    for beacon in beacons:
        demo.add(beacon, last_ns)
    with TestClient(app=create_app(settings)) as client:
        for beacon in beacons:
            body, request = beacon.request(last_ns)
            headers = {"content-type": "text/plain", "user-agent": request.user_agent}
            response = client.post("/__deco/rum", content=body, headers=headers)
            assert response.status_code == 204, response.text
    with Store(settings) as store:
        rows = stored(store)
    expected = demo.take()
    assert len(rows) == len(expected["Timestamp"]) > 100
    kinds = {row["EventName"] for row in rows}
    assert kinds == {"rum.page_view", "rum.web_vital", "rum.event", "rum.error"}
    as_rows = [
        dict(zip(expected, row, strict=True)) for row in zip(*expected.values(), strict=True)
    ]
    assert comparable(rows) == comparable(as_rows)


@pytest.mark.parametrize("device", list(BROWSERS))
def test_each_user_agent_is_the_browser_the_table_names(device: str) -> None:
    for browser, os_name, _share, template in BROWSERS[device]:
        client = parse_user_agent(user_agent(template, 125, 14))
        assert (client.browser_name, client.os_name, client.device_type) == (
            browser, os_name, device,
        )  # fmt: skip


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
        settled = store.query("SELECT count() FROM otel.rum_vitals_histograms_settled FINAL")
        releases = store.query("SELECT count() FROM otel.rum_releases WHERE ServiceVersion != ''")
    finally:
        store.close()
    assert rows[0][0] >= 3000
    assert settled[0][0] == 4  # every day settles, today included
    assert releases[0][0] == 3


def test_a_site_the_settings_refuse_is_a_one_line_error(tmp_path: Path) -> None:
    """demo-data writes only what the ingest would accept: RUM_SITES applies to it too."""
    done = subprocess.run(
        [sys.executable, "-m", "rum_server.cli.main", "demo-data", "--rows", "50",
         "--site", "elsewhere", "--dsn", f"chdb://{tmp_path / 'data'}"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "RUM_SITES": "shop"},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "rum-server: --site 'elsewhere': site 'elsewhere' is not accepted here"
    )


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
