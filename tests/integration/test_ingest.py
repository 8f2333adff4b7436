"""POST /__deco/rum through the whole app into a real embedded ClickHouse."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from rum_server.app import create_app
from tests.conftest import EXAMPLES, make_settings, read_rows

TEXT = {"content-type": "text/plain;charset=UTF-8"}
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def example(name: str) -> dict[str, Any]:
    return json.loads((Path(__file__).parents[2] / "docs" / "examples" / name).read_text())


def post(client: TestClient[Any], body: bytes | str, headers: dict[str, str] | None = None) -> Any:
    data = body.encode() if isinstance(body, str) else body
    return client.post("/__deco/rum", content=data, headers=headers or TEXT)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_each_example_batch_is_accepted_and_stored_as_one_row_per_event(
    tmp_path: Path, path: Path
) -> None:
    settings = make_settings(tmp_path / "data")
    batch = json.loads(path.read_text())
    with TestClient(app=create_app(settings)) as client:
        response = post(client, path.read_bytes())
        assert response.status_code == 204, response.text
    rows = read_rows(settings)
    assert len(rows) == len(batch["events"])
    assert {row["ServiceName"] for row in rows} == {batch["site"]}
    for row in rows:
        assert all(isinstance(value, str) for value in row["LogAttributes"].values())
        assert row["LogAttributes"]["rum.page_view.id"] == batch["pv"]
        assert row["ScopeName"] == "deco.rum"


def test_web_vital_rows_match_the_storage_contract(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    before = time.time_ns()
    with TestClient(app=create_app(settings)) as client:
        response = post(
            client, json.dumps(example("page-vitals.json")), {**TEXT, "user-agent": CHROME_ANDROID}
        )
        assert response.status_code == 204
    after = time.time_ns()
    rows = {
        row["LogAttributes"].get("rum.metric.name", row["EventName"]): row
        for row in read_rows(settings)
    }

    lcp = rows["LCP"]
    assert lcp["EventName"] == "rum.web_vital"
    assert (lcp["SeverityText"], lcp["SeverityNumber"]) == ("INFO", 9)
    assert lcp["Body"] == "LCP 2315 ms good /_products/$slug/p"
    assert lcp["TraceId"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert lcp["SpanId"] == "00f067aa0ba902b7"
    assert lcp["TraceFlags"] == 1
    assert lcp["ScopeVersion"] == "0.1.0"
    assert lcp["ResourceAttributes"] == {
        "service.name": "acme-store",
        "service.version": "2026.11.29-abc123",
        "deployment.environment.name": "production",
        "deployment.environment": "production",
        "rum.sessionId": "s-4d2b8e6f0a",
    }
    attributes = lcp["LogAttributes"]
    assert attributes["rum.metric.value"] == "2315"
    assert attributes["rum.metric.delta"] == "2315"
    assert attributes["rum.metric.rating"] == "good"
    assert attributes["rum.metric.id"] == "v5-1764446395000-3333333333333"
    assert attributes["rum.route"] == "/_products/$slug/p"
    assert attributes["rum.navigation.type"] == "navigate"
    assert attributes["rum.sample_rate"] == "1"
    assert attributes["rum.viewport"] == "390x844"
    assert attributes["rum.connection.type"] == "4g"
    assert attributes["rum.request.id"] == "req-8c1f2a7d"
    assert attributes["rum.cf_ray"] == "8e2f4a6b1c3d5e7f-GRU"
    assert attributes["rum.device.type"] == "mobile"
    assert attributes["rum.referrer"] == "https://www.google.com"
    assert attributes["rum.browser.name"] == "Chrome Mobile"
    assert attributes["rum.os.name"] == "Android"
    url = attributes["rum.page.url"]
    assert "#reviews" not in url and "maria.silva" not in url and "12345" not in url
    assert "utm_source=google" in url and "utm_campaign=black-friday" in url

    assert rows["CLS"]["LogAttributes"]["rum.metric.value"] == "0"
    assert rows["CLS"]["Body"] == "CLS 0 good /_products/$slug/p"
    assert rows["TTFB"]["LogAttributes"]["rum.metric.value"] == "312.4"
    assert rows["rum.page_view"]["Body"] == "/_products/$slug/p"

    # The client clock said 2025; the server corrected the skew to its own receive time.
    stamps = [row["Timestamp"].timestamp() * 1e9 for row in rows.values()]
    assert all(before - 10e9 <= stamp <= after + 1e6 for stamp in stamps)
    assert rows["LCP"]["Timestamp"] > rows["rum.page_view"]["Timestamp"]


def test_error_rows_carry_counts_fingerprints_and_no_personal_data(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    with TestClient(app=create_app(settings)) as client:
        assert post(client, json.dumps(example("errors.json"))).status_code == 204
    rows = [row for row in read_rows(settings) if row["EventName"] == "rum.error"]
    assert len(rows) == 3
    first = next(row for row in rows if row["LogAttributes"]["rum.error.type"] == "TypeError")
    attributes = first["LogAttributes"]
    assert (first["SeverityText"], first["SeverityNumber"]) == ("ERROR", 17)
    assert first["Body"] == attributes["rum.error.message"]
    assert attributes["rum.error.count"] == "3"
    fingerprint = attributes["rum.error.fingerprint"]  # the server's, never the client's fp
    assert fingerprint != "a1b2c3d4" and len(fingerprint) == 16 and int(fingerprint, 16) >= 0
    assert attributes["rum.error.source"] == "error"
    assert (attributes["rum.error.line"], attributes["rum.error.column"]) == ("12", "345")
    assert "chunk-4f2a.js" in attributes["rum.error.file"]
    assert "chunk-4f2a.js" in attributes["rum.error.stack"]
    unfingerprinted = next(
        row
        for row in rows
        if "Bearer" in row["Body"]
        or ("[" in row["Body"] and row["LogAttributes"]["rum.error.line"] == "1")
    )
    assert len(unfingerprinted["LogAttributes"]["rum.error.fingerprint"]) == 16
    assert rows[0]["LogAttributes"]["rum.sample_rate"] == "0.5"


PERSONAL_DATA = [
    "maria.silva@example.com",
    "joao.souza@example.com.br",
    "ana@example.org",
    "4111 1111 1111 1111",
    "123.456.789-09",
    "91234-5678",
    "sk_live_51HxYzAbCdEfGhIjKlMnOpQrStUvWxYz",
    "203.0.113.42",
    "eyJhbGciOiJIUzI1NiJ9",
    "orderFormId=9f8e7d6c",
    "token=abc123",
]


def test_no_personal_data_from_the_examples_reaches_the_store(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    with TestClient(app=create_app(settings)) as client:
        for path in EXAMPLES:
            assert post(client, path.read_bytes()).status_code == 204
    stored = json.dumps(read_rows(settings), default=str)
    leaked = [item for item in PERSONAL_DATA if item in stored]
    assert leaked == []


def test_gzip_bodies_are_accepted(client: TestClient[Any]) -> None:
    body = gzip.compress(json.dumps(example("mixed.json")).encode())
    response = post(client, body, {**TEXT, "content-encoding": "gzip"})
    assert response.status_code == 204


def test_attribution_and_custom_events_are_stored(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    with TestClient(app=create_app(settings)) as client:
        assert post(client, json.dumps(example("mixed.json"))).status_code == 204
    rows = read_rows(settings)
    lcp = next(r for r in rows if r["LogAttributes"].get("rum.metric.name") == "LCP")
    attributes = lcp["LogAttributes"]
    assert attributes["rum.attribution.element"] == "#product-gallery > img.main"
    assert "token=abc123" not in attributes["rum.attribution.url"]
    assert attributes["rum.metric.rating"] == "poor"
    assert attributes["rum.user.hash"].startswith("5e884898")
    assert attributes["rum.navigation.type"] == "back-forward-cache"
    assert attributes["rum.route"] == "/products/:id/p"
    event = next(r for r in rows if r["EventName"] == "rum.event")
    assert event["Body"] == "add_to_cart"
    assert event["LogAttributes"]["rum.event.label.category"] == "shirts"
    assert event["LogAttributes"]["rum.event.attr.price"] == "129.90"


def test_country_comes_from_the_configured_trusted_header_only(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", country_header="cf-ipcountry")
    with TestClient(app=create_app(settings)) as client:
        headers = {**TEXT, "cf-ipcountry": "br"}
        assert post(client, json.dumps(example("mixed.json")), headers).status_code == 204
    assert {r["LogAttributes"]["rum.country"] for r in read_rows(settings)} == {"BR"}
