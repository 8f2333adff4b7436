"""The query API over the whole app and a real embedded store: shapes, guard, bad parameters."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from litestar.types import ASGIApp, Receive, Send

from rum_server.app import create_app
from rum_server.cli.demo_data import Seed, seed_store
from rum_server.settings import Settings
from rum_server.storage.store import Store

API = "/__deco/rum/api"
REPO = Path(__file__).resolve().parents[2]
TOKEN = "s3cret-token"


def from_client(app: ASGIApp, host: str) -> ASGIApp:
    """The app as seen from ``host`` (Litestar's TestClient always says 'testclient')."""

    async def wrapped(scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "client": (host, 40000)}
        await app(scope, receive, send)

    return wrapped


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded store, closed again so each app below can open it."""
    path = tmp_path_factory.mktemp("api") / "data"
    store = Store(Settings(dsn=f"chdb://{path}"))
    try:
        store.ensure_schema()
        seed_store(store, Seed(rows=12_000, days=7, site="shop"))
    finally:
        store.close()
    return path


@pytest.fixture(scope="module")
def app(data_dir: Path) -> Iterator[Litestar]:
    """One app for the module; its lifespan (entered once) holds the store."""
    app = create_app(Settings(dsn=f"chdb://{data_dir}"))
    with TestClient(app=app):
        yield app


def client_from(app: Litestar, host: str) -> TestClient[Any]:
    """A client on the running app that connects from ``host``."""
    return TestClient(app=from_client(app, host), base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def loopback(app: Litestar) -> TestClient[Any]:
    return client_from(app, "127.0.0.1")


REPORT_CASES = [
    ("sites", {}, "site"),
    ("vitals", {"site": "shop", "metric": "LCP", "by": "route"}, "route"),
    ("vitals", {"site": "shop", "metric": "INP", "by": "device", "days": "3"}, "device"),
    ("vitals", {"site": "shop", "by": "release"}, "release"),
    ("trend", {"site": "shop", "metric": "LCP", "device": "mobile"}, "day"),
    ("errors", {"site": "shop", "limit": "3"}, "fingerprint"),
    ("pages", {"site": "shop"}, "route"),
    ("compare", {"site": "shop", "device": "mobile"}, "scope"),
    ("compare", {"site": "shop", "by": "route"}, "route"),
    ("events", {"site": "shop", "names": "view_product,add_to_cart"}, "step"),
    ("events", {"site": "shop"}, "step"),
    ("events", {"site": "shop", "by": "release"}, "release"),
    ("top-events", {"site": "shop"}, "event"),
    ("top-events", {"site": "shop", "label": "payment_type"}, "event"),
]


@pytest.mark.parametrize(("report", "params", "first_column"), REPORT_CASES)
def test_every_report_answers_columns_rows_and_sql(
    loopback: TestClient[Any], report: str, params: dict[str, str], first_column: str
) -> None:
    response = loopback.get(f"{API}/{report}", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"columns", "rows", "sql"}
    assert body["columns"][0] == first_column
    assert body["rows"], f"{report} answered no rows on seeded data"
    assert all(list(row) == body["columns"] for row in body["rows"])
    assert body["sql"].startswith("SELECT")


def test_compare_finds_the_seeded_mobile_regression(loopback: TestClient[Any]) -> None:
    row = loopback.get(f"{API}/compare", params={"site": "shop", "device": "mobile"}).json()
    assert row["rows"][0]["verdict"] == "regressed"


BAD_REQUESTS = [
    ("vitals", {"metric": "XYZ"}, "metric must be one of"),
    ("vitals", {"by": "country"}, "by must be one of"),
    ("vitals", {"days": "0"}, "days must be between"),
    ("vitals", {"days": "seven"}, "days"),
    ("vitals", {"device": "fridge"}, "device must be one of"),
    ("errors", {"limit": "0"}, "limit must be between"),
    ("compare", {"a": "only-one"}, "both releases"),
    ("compare", {"a_range": "2026-11-01..2026-10-01", "b_range": "2026-11-02"}, "FIRST <= LAST"),
    ("compare", {"a": "x", "b": "y", "a_range": "2026-11-01", "b_range": "2026-11-02"}, "not both"),
    ("events", {"steps": "View Product"}, "event names are"),
    ("events", {"steps": ","}, "non-empty event names"),
    ("events", {"by": "browser"}, "events by must be one of"),
    ("top-events", {"label": "a b"}, "label must be a label key"),
]


@pytest.mark.parametrize(("report", "params", "message"), BAD_REQUESTS)
def test_bad_parameters_are_400_with_a_clear_message(
    loopback: TestClient[Any], report: str, params: dict[str, str], message: str
) -> None:
    response = loopback.get(f"{API}/{report}", params=params)
    assert response.status_code == 400
    assert message in str(response.json())


@pytest.mark.parametrize(
    ("host", "status"),
    [("127.0.0.1", 200), ("127.8.9.1", 200), ("::1", 200), ("10.0.0.5", 403), ("testclient", 403)],
)
def test_without_a_token_only_loopback_clients_are_answered(
    app: Litestar, host: str, status: int
) -> None:
    response = client_from(app, host).get(f"{API}/sites")
    assert response.status_code == status
    if status == 403:
        assert "RUM_API_TOKEN" in response.text


@pytest.mark.parametrize(
    ("host", "header", "status"),
    [
        ("10.0.0.5", f"Bearer {TOKEN}", 200),
        ("127.0.0.1", f"Bearer {TOKEN}", 200),
        ("127.0.0.1", "Bearer wrong", 401),
        ("127.0.0.1", "", 401),
        ("10.0.0.5", TOKEN, 401),
        ("10.0.0.5", f"bearer {TOKEN}", 200),  # the auth scheme is case-insensitive
        ("10.0.0.5", f"BEARER  {TOKEN}", 200),
        ("10.0.0.5", f"Basic {TOKEN}", 401),
    ],
)
def test_with_a_token_configured_the_bearer_header_is_required(
    app: Litestar, monkeypatch: pytest.MonkeyPatch, host: str, header: str, status: int
) -> None:
    with_token = dataclasses.replace(app.state.settings, api_token=TOKEN)
    monkeypatch.setattr(app.state, "settings", with_token)
    headers = {"Authorization": header} if header else {}
    response = client_from(app, host).get(f"{API}/vitals", headers=headers)
    assert response.status_code == status


def test_one_release_is_an_empty_comparison_that_says_why(app: Litestar) -> None:
    """An expected state, not a 400: the dashboard shows the note as the panel's empty state."""
    store: Store = app.state.store
    example = json.loads((REPO / "docs" / "examples" / "page-vitals.json").read_text())
    client = client_from(app, "127.0.0.1")  # no "with": its lifespan would close the store
    sent = client.post(
        "/__deco/rum", content=json.dumps(example), headers={"content-type": "text/plain"}
    )
    assert sent.status_code < 300
    site = example["site"]
    count = f"SELECT count() FROM otel.otel_logs WHERE ServiceName = '{site}'"
    deadline = time.monotonic() + 20
    while not store.query(count)[0][0]:
        assert time.monotonic() < deadline, "the example batch was never written"
        time.sleep(0.05)
    answer = client.get(f"{API}/compare", params={"site": site})
    assert answer.status_code == 200
    body = answer.json()
    assert body["rows"] == [] and "verdict" in body["columns"]
    assert body["note"].startswith("1 release(s) in the last 7 days")


def test_metric_names_in_any_case(loopback: TestClient[Any]) -> None:
    lower = loopback.get(f"{API}/vitals", params={"site": "shop", "metric": "lcp"})
    assert lower.status_code == 200
    assert lower.json() == loopback.get(f"{API}/vitals", params={"site": "shop"}).json()


def test_sql_is_read_only_and_formatted_by_clickhouse(loopback: TestClient[Any]) -> None:
    query = (
        "SELECT ServiceName AS site, count() AS n FROM otel.otel_logs GROUP BY site ORDER BY site"
    )
    answer = loopback.post(f"{API}/sql", params={"format": "csv"}, content=query)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.text.splitlines()[0] == '"site","n"' and '"shop"' in answer.text
    refused = loopback.post(f"{API}/sql", content="DROP TABLE otel.otel_logs")
    assert refused.status_code == 400 and "readonly" in refused.json()["detail"].lower()
    assert (
        loopback.post(f"{API}/sql", params={"format": "xml"}, content="SELECT 1").status_code == 400
    )


def test_sql_is_guarded_like_every_report(app: Litestar) -> None:
    assert client_from(app, "10.0.0.5").post(f"{API}/sql", content="SELECT 1").status_code == 403
