"""The RUM handlers mount into an existing Litestar app beside its own routes."""

from __future__ import annotations

import json
from pathlib import Path

from litestar import Litestar, get
from litestar.testing import TestClient

from rum_server.app import RumPlugin, create_router, rum_lifespan
from tests.conftest import EXAMPLES, make_settings, read_rows


@get("/hello")
async def hello() -> str:
    return "storefront"


def test_a_host_app_serves_its_routes_and_ingests_beacons(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    app = Litestar(
        route_handlers=[create_router(settings), hello],
        lifespan=[rum_lifespan(settings)],
    )
    with TestClient(app=app) as client:
        assert client.get("/hello").text == "storefront"
        response = client.post(
            "/__deco/rum", content=EXAMPLES[0].read_bytes(), headers={"content-type": "text/plain"}
        )
        assert response.status_code == 204
        assert client.get("/__deco/rum/health").status_code == 200
    assert len(read_rows(settings)) == len(json.loads(EXAMPLES[0].read_text())["events"])


def test_the_plugin_mounts_routes_lifespan_and_state_in_one_step(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    app = Litestar(route_handlers=[hello], plugins=[RumPlugin(settings)])
    with TestClient(app=app) as client:
        assert client.get("/hello").text == "storefront"
        response = client.post(
            "/__deco/rum", content=EXAMPLES[0].read_bytes(), headers={"content-type": "text/plain"}
        )
        assert response.status_code == 204
        contract = client.get("/__deco/rum/api/contract").json()
        assert {"name": "LCP", "unit": "ms", "good": 2500, "poor": 4000, "legacy": False} in (
            contract["metrics"]
        )
    assert len(read_rows(settings)) == len(json.loads(EXAMPLES[0].read_text())["events"])
