"""The label budget end to end: a flood of distinct label values stays bounded per UTC day,
across a restart and across two apps writing to one store, and no value is lost."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from rum_server.app import create_app
from rum_server.settings import Settings
from rum_server.storage.store import Store
from rum_server.transform.redact import OVERFLOW
from tests.conftest import ClickHouseServer, make_settings

TEXT = {"content-type": "text/plain;charset=UTF-8"}
SKUS = [f"tenis-corrida-{i}" for i in range(1000)]
"""Product ids that do not look like identifiers (no long digit run): only the budget
stops them."""


def batch(skus: list[str], now_ms: float) -> bytes:
    events = [
        {"t": "event", "ts": now_ms, "name": "view_product", "labels": {"sku": sku}} for sku in skus
    ]
    envelope = {"v": 1, "site": "shop", "url": "https://shop.example/p", "pv": "pv1", "sid": "s1"}
    return json.dumps({**envelope, "st": now_ms, "events": events}).encode()


def send(client: TestClient[Any], skus: list[str]) -> None:
    for start in range(0, len(skus), 200):
        chunk = skus[start : start + 200]
        response = client.post(
            "/__deco/rum", content=batch(chunk, time.time() * 1000), headers=TEXT
        )
        assert response.status_code == 204, response.text


@contextmanager
def running(settings: Settings) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(settings)) as client:
        yield client


def event_rows(settings: Settings) -> list[dict[str, str]]:
    store = Store(settings)
    try:
        rows = store.query("SELECT LogAttributes FROM otel.otel_logs WHERE EventName = 'rum.event'")
    finally:
        store.close()
    return [dict(row[0]) for row in rows]


def assert_bounded_and_nothing_lost(
    rows: list[dict[str, str]], budget: int, sent: list[str] = SKUS
) -> None:
    labels = {row["rum.event.label.sku"] for row in rows}
    assert len(labels - {OVERFLOW}) <= budget
    assert OVERFLOW in labels
    for row in rows:  # an over-budget value survives as an attribute
        if row["rum.event.label.sku"] == OVERFLOW:
            assert row["rum.event.attr.sku"] in SKUS
    kept = {row.get("rum.event.attr.sku") or row["rum.event.label.sku"] for row in rows}
    assert kept == set(sent)


def test_a_thousand_skus_as_a_label_store_at_most_the_budget_across_a_restart(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path / "data")
    with running(settings) as client:
        send(client, SKUS[:500])
        labels = client.get("/__deco/rum/health").json()["labels"]
        assert labels["over_budget"] == 400
    with running(settings) as client:  # a restart: the budget is read back, not reopened
        send(client, SKUS[500:])
        assert client.get("/__deco/rum/health").json()["labels"]["over_budget"] == 500
    rows = event_rows(settings)
    assert len(rows) == 1000
    assert_bounded_and_nothing_lost(rows, settings.label_budget)
    assert len({row["rum.event.label.sku"] for row in rows}) == settings.label_budget + 1


def test_a_configured_budget_and_identifier_like_labels(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", label_budget=3)
    with running(settings) as client:
        send(client, [*SKUS[:10], "sku-8472615", "ana@example.org"])
        refused = client.get("/__deco/rum/health").json()["labels"]["refused"]
    assert (refused["digits"], refused["email"]) == (1, 1)
    rows = event_rows(settings)
    assert {row["rum.event.label.sku"] for row in rows if "rum.event.label.sku" in row} == {
        *SKUS[:3],
        OVERFLOW,
    }
    refused_rows = [row for row in rows if "rum.event.label.sku" not in row]
    assert sorted(row["rum.event.attr.sku"] for row in refused_rows) == ["[email]", "sku-8472615"]


def test_two_apps_sharing_one_store_hold_one_budget_from_their_start(
    clickhouse_server: ClickHouseServer, tmp_path: Path
) -> None:
    """Two workers on one ClickHouse server: the second starts from what the first stored.

    What they admit while both run is each one's own (docs/scaling.md): the bound is the
    budget per worker start, and every start reads the union back.
    """
    settings = make_settings(tmp_path / "unused", dsn=clickhouse_server.dsn(), label_budget=50)
    with running(settings) as first:
        send(first, SKUS[:40])
        time.sleep(0.3)  # the first worker's rows are flushed (flush_seconds is 0.05)
        with running(settings) as second:
            send(second, SKUS[40:100])  # 10 more fit, then the budget is full
            assert second.get("/__deco/rum/health").json()["labels"]["over_budget"] == 50
    with running(settings) as third:  # a later start sees both workers' values
        send(third, SKUS[100:110])
        assert third.get("/__deco/rum/health").json()["labels"]["over_budget"] == 10
    rows = event_rows(settings)
    assert len(rows) == 110
    assert_bounded_and_nothing_lost(rows, 50, SKUS[:110])
