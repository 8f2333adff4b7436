"""``rum-server demo-data`` writes rows of the storage contract's exact shape, then settles."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from rum_server.settings import Settings
from rum_server.storage.store import Store
from rum_server.transform.pipeline import Pipeline, RequestContext
from rum_server.transform.rows import ROW_COLUMNS
from rum_server.web.demo_data import FUNNEL_EVENTS, Seed, generate
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


def test_the_chunks_fill_exactly_the_tables_columns(tmp_path: Path) -> None:
    with Store.open(Settings(dsn=f"chdb://{tmp_path / 'data'}")) as store:
        table = store.query(
            "SELECT name FROM system.columns WHERE database = 'otel' AND table = 'otel_logs' "
            "AND default_kind != 'MATERIALIZED' ORDER BY position"
        )
    assert list(FIRST_CHUNK) == [name for (name,) in table]


MINIMAL_BATCH = {
    "v": 1, "site": "s", "url": "https://s.example/p", "pv": "p", "sid": "s", "st": 1.0,
    "events": [
        {"t": "page_view", "ts": 1.0},
        {"t": "web_vital", "ts": 1.0, "name": "LCP", "v": 1.0, "id": "m"},
        {"t": "error", "ts": 1.0, "msg": "boom"},
        {"t": "event", "ts": 1.0, "name": "purchase"},
    ],
}  # fmt: skip


def test_demo_rows_carry_every_key_the_ingest_row_builder_always_writes() -> None:
    """The demo data has the shape of real rows: those of a minimal batch through the pipeline."""
    request = RequestContext(received_ns=10**18, user_agent="curl/8.0")
    built = Pipeline(Settings()).process(json.dumps(MINIMAL_BATCH).encode(), request).columns
    real = list(zip(built.data["EventName"], built.data["LogAttributes"], strict=True))
    assert {name for name, _ in real} == set(EVENT_KEYS)
    for event_name, always in real:
        for row in rows_of(event_name):
            assert set(always) <= set(row["LogAttributes"]), event_name
    resource = set(built.data["ResourceAttributes"][0])
    assert all(set(row["ResourceAttributes"]) == resource for row in rows_of("rum.page_view"))


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
    assert names == {*FUNNEL_EVENTS.values(), "purchase"}


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
        [sys.executable, "-m", "rum_server.cli", "demo-data", "--rows", "3000", "--days", "4",
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
        [sys.executable, "-m", "rum_server.cli", "demo-data", "--rows", "0"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "rum-server: --rows must be positive and --days between 1 and 90"
    ]
