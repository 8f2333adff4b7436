"""``GET /__deco/rum/api/contract``: the names and thresholds the dashboard draws with."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from rum_server.app import create_app
from rum_server.contract import METRIC_NAMES
from rum_server.query.registry import REPORTS
from rum_server.transform.rating import THRESHOLDS, rating
from tests.conftest import make_settings
from tests.integration.test_api import client_from

CONTRACT = "/__deco/rum/api/contract"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Litestar]:
    app = create_app(make_settings(tmp_path_factory.mktemp("contract") / "data"))
    with TestClient(app=app):
        yield app


@pytest.fixture(scope="module")
def contract(app: Litestar) -> dict[str, Any]:
    response = client_from(app, "127.0.0.1").get(CONTRACT)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_metrics_carry_the_thresholds_rows_are_rated_by_and_units(
    contract: dict[str, Any],
) -> None:
    metrics = {metric["name"]: metric for metric in contract["metrics"]}
    assert list(metrics) == list(THRESHOLDS) == list(METRIC_NAMES)
    for name, (good, poor) in THRESHOLDS.items():
        assert (metrics[name]["good"], metrics[name]["poor"]) == (good, poor)
        assert rating(name, good) == "good" and rating(name, poor * 1.01) == "poor"
    assert metrics["LCP"] == {
        "name": "LCP",
        "unit": "ms",
        "good": 2500,
        "poor": 4000,
        "legacy": False,
    }
    assert metrics["CLS"]["unit"] == ""
    assert [name for name, metric in metrics.items() if metric["legacy"]] == ["FID"]


def test_ratings_are_those_the_rows_carry(contract: dict[str, Any]) -> None:
    rated = {rating(name, value) for name in THRESHOLDS for value in (0, *THRESHOLDS[name], 1e9)}
    assert set(contract["ratings"]) == rated


def test_event_names_are_those_of_the_stored_rows(contract: dict[str, Any]) -> None:
    """docs/storage.md's event table, whose kinds the real row builder writes for docs/examples."""
    storage = (REPO / "docs" / "storage.md").read_text()
    documented = re.findall(r"^\| [^|]+ \| `(rum\.[a-z_]+)` \| [A-Z]+ / \d+ \|", storage, re.M)
    assert contract["events"] == documented
    golden = json.loads((REPO / "tests" / "data" / "example_rows.golden.json").read_text())
    assert {row["EventName"] for row in golden["otel_logs"]} <= set(documented)


def test_every_report_is_listed_with_its_parameters_and_units(
    contract: dict[str, Any],
) -> None:
    listed = {report["name"]: report for report in contract["reports"]}
    assert list(listed) == list(REPORTS)
    vitals = listed["vitals"]
    params = {param["name"]: param for param in vitals["params"]}
    assert params["days"] == {
        "name": "days", "type": "int", "default": 7, "choices": [], "aliases": [],
        "help": "last N days (default 7)",
    }  # fmt: skip
    assert params["metric"]["default"] == "LCP" and "INP" in params["metric"]["choices"]
    assert vitals["units"]["p75"] == "metric" and vitals["units"]["good"] == "share"
    steps = next(p for p in listed["events"]["params"] if p["name"] == "steps")
    assert steps["aliases"] == ["names"]
    assert listed["sites"]["params"] == []
    assert contract["funnel"][0] == "view_item_list" and contract["funnel"][-1] == "purchase"


@pytest.mark.parametrize(("host", "status"), [("127.0.0.1", 200), ("10.0.0.5", 403)])
def test_guarded_like_every_report_without_a_token(app: Litestar, host: str, status: int) -> None:
    assert client_from(app, host).get(CONTRACT).status_code == status


@pytest.mark.parametrize(("header", "status"), [("Bearer s3cret", 200), ("", 401)])
def test_guarded_like_every_report_with_a_token(
    app: Litestar, monkeypatch: pytest.MonkeyPatch, header: str, status: int
) -> None:
    monkeypatch.setattr(
        app.state, "settings", dataclasses.replace(app.state.settings, api_token="s3cret")
    )
    headers = {"Authorization": header} if header else {}
    assert client_from(app, "10.0.0.5").get(CONTRACT, headers=headers).status_code == status
