"""One noisy or hostile client cannot skew the figures, starve other sites or read the data.

Each test posts through the real app into the real embedded store.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from rum_server.app import create_app
from rum_server.storage.store import Store
from tests.conftest import make_settings, read_rows
from tests.integration.test_ingest_answers import TEXT, batch, post, vital
from tests.integration.test_metrics import scrape
from tests.integration.test_store_outage import wait_for

DAY_MS = 86_400_000


def now_ms() -> int:
    return int(time.time() * 1000)


def custom(name: str, labels: dict[str, str]) -> dict[str, Any]:
    return {"t": "event", "ts": now_ms() - 1000, "name": name, "labels": labels}


def test_the_rate_limit_keys_on_the_address_our_proxy_appended(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", rate_limit=1.0, client_ip_header="x-forwarded-for")
    with TestClient(app=create_app(settings)) as client:
        answers = [
            post(client, batch(), {**TEXT, "x-forwarded-for": f"10.9.9.{n}, 203.0.113.7"})
            for n in range(3)  # the client invents a new leftmost address each time
        ]
        assert [answer.status_code for answer in answers] == [204, 204, 429]
        other = post(client, batch(), {**TEXT, "x-forwarded-for": "10.9.9.1, 203.0.113.8"})
        assert other.status_code == 204
        assert scrape(client)["rum_rate_limited_total"] == 1


def test_a_tiny_sample_rate_is_raised_to_the_floor_and_counted(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    with TestClient(app=create_app(settings)) as client:
        body = batch(rate=0.0001, events=[vital("LCP", 600_000)])
        assert post(client, body).status_code == 204
        assert scrape(client)['rum_clamped_total{field="sample_rate"}'] == 1
    (row,) = read_rows(settings)
    assert row["LogAttributes"]["rum.sample_rate"] == "0.01"


def test_one_site_cannot_use_up_another_sites_label_keys(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", max_label_keys_per_site=2)
    with TestClient(app=create_app(settings)) as client:
        noisy = [custom("e", {f"key{n}": "v"}) for n in range(5)]
        assert post(client, batch(site="noisy", events=noisy)).status_code == 204
        quiet = [custom("e", {"category": "shirts"})]
        assert post(client, batch(site="quiet", events=quiet)).status_code == 204
        assert scrape(client)['rum_dropped_total{kind="label"}'] == 3
    labels = {
        (row["ServiceName"], key): value
        for row in read_rows(settings)
        for key, value in row["LogAttributes"].items()
        if key.startswith("rum.event.label.")
    }
    assert labels[("quiet", "rum.event.label.category")] == "shirts"
    assert sorted(v for (site, _), v in labels.items() if site == "noisy") == [
        "(other)",
        "(other)",
        "(other)",
        "v",
        "v",
    ]


def test_routes_are_bounded_per_site_per_day_with_an_overflow_route(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", max_routes_per_site=2)
    with TestClient(app=create_app(settings)) as client:
        for n in range(4):
            assert post(client, batch(site="noisy", route=f"/p/{n}")).status_code == 204
        assert post(client, batch(site="quiet", route="/cart")).status_code == 204
        assert scrape(client)['rum_dropped_total{kind="route"}'] == 2
    routes = sorted(
        (row["ServiceName"], row["LogAttributes"]["rum.route"]) for row in read_rows(settings)
    )
    assert routes == [
        ("noisy", "(other)"),
        ("noisy", "(other)"),
        ("noisy", "/p/0"),
        ("noisy", "/p/1"),
        ("quiet", "/cart"),
    ]


def test_events_older_than_the_retention_are_refused_and_not_counted_by_rollups(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path / "data", ttl_days=90)
    sent = now_ms()
    old_error = {"t": "error", "ts": sent - 100 * DAY_MS, "msg": "old", "type": "Error"}
    new_error = {"t": "error", "ts": sent - 1000, "msg": "new", "type": "Error"}
    with TestClient(app=create_app(settings)) as client:
        answer = post(client, batch(st=sent, events=[old_error, new_error]))
        assert answer.status_code == 202
        assert answer.json()["accepted"] == 1
        (rejected,) = answer.json()["rejected"]
        assert rejected["index"] == 0 and "retention" in str(rejected["reason"])
        assert scrape(client)['rum_rejected_total{reason="outside_retention"}'] == 1
    assert [row["Body"] for row in read_rows(settings)] == ["new"]
    store = Store(settings)
    try:
        assert store.query("SELECT sum(occurrences) FROM otel.rum_errors_daily") == [(1.0,)]
    finally:
        store.close()


def test_without_a_token_only_loopback_host_names_are_answered(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", allowed_hosts=("rum.internal",))
    app = create_app(settings)
    with TestClient(app=app, base_url="http://127.0.0.1"):

        def status(host: str, path: str) -> int:
            # The peer is loopback, as after DNS rebinding; only Host differs.
            client = TestClient(app=loopback_peer(app), base_url="http://127.0.0.1")
            return int(client.get(path, headers={"host": host}).status_code)

        api = "/__deco/rum/api/sites"
        assert status("localhost:8000", api) == 200
        assert status("127.0.0.1:8000", api) == 200
        assert status("rum.internal", api) == 200
        assert status("attacker.example", api) == 403
        assert status("attacker.example", "/__deco/rum/dashboard") == 403
        assert status("localhost", "/__deco/rum/dashboard") == 200
        app.state.settings = dataclasses.replace(settings, api_token="t")
        assert status("attacker.example", "/__deco/rum/dashboard") == 200  # data needs the token


def loopback_peer(app: Any) -> Any:
    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = {**scope, "client": ("127.0.0.1", 40000)}
        await app(scope, receive, send)

    return wrapped


def test_api_lists_are_pages_with_a_default_limit(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    app = create_app(settings)
    with TestClient(app=app):  # the lifespan runs once, here
        client = TestClient(app=loopback_peer(app), base_url="http://127.0.0.1")
        for site in ("a", "b", "c"):
            assert post(client, batch(site=site)).status_code == 204
        wait_for(lambda: app.state.writer.stats.written_rows == 3)
        first = client.get("/__deco/rum/api/sites", params={"limit": "2"}).json()
        assert len(first["rows"]) == 2 and first["next_offset"] == 2
        rest = client.get("/__deco/rum/api/sites", params={"limit": "2", "offset": "2"}).json()
        assert len(rest["rows"]) == 1 and "next_offset" not in rest
        whole = client.get("/__deco/rum/api/sites").json()
        assert len(whole["rows"]) == 3 and "next_offset" not in whole
        assert client.get("/__deco/rum/api/sites", params={"limit": "0"}).status_code == 400
