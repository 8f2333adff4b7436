"""Errors read back: a map uploaded after the errors arrived symbolicates the stored
minified stack in `rum-server query errors` and the API; one error's detail in full."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from litestar.testing import TestClient

from rum_server.app import create_app
from rum_server.cli.main import main
from rum_server.settings import Settings
from rum_server.sourcemaps.store import SourceMapStore
from tests.conftest import make_settings
from tests.fixture_bundle import MAP, SCRIPT, SOURCE, STACK, SYMBOLICATED_FRAMES


def batch(page_view: str, session: str, route: str, rate: float = 1.0) -> bytes:
    event = {
        "t": "error",
        "ts": 1.0,
        "type": "RangeError",
        "msg": f'discount code "{page_view}" is not valid for a cart of 129',
        "stack": STACK,
        "file": SCRIPT,
        "line": 1,
        "col": 561,
        "n": 2,
    }
    envelope = {
        "v": 1,
        "site": "shop",
        "url": f"https://shop.example{route}",
        "route": route,
        "pv": page_view,
        "sid": session,
        "st": 1.0,
        "ver": "r1",
        "rate": rate,
    }
    return json.dumps({**envelope, "events": [event]}).encode()


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Three page views in two sessions stored before any map existed, then the map, then
    a fourth page view in a third session, symbolicated at ingest."""
    settings = make_settings(tmp_path_factory.mktemp("errors") / "data")
    with TestClient(app=create_app(settings)) as client:
        for body in (
            batch("pv1", "s1", "/cart"),
            batch("pv2", "s1", "/checkout"),
            batch("pv3", "s2", "/cart", rate=0.5),
        ):
            response = client.post(
                "/__deco/rum", content=body, headers={"content-type": "text/plain"}
            )
            assert response.status_code == 204, response.text
    maps = SourceMapStore(settings.sourcemap_path, settings.sourcemap_max_bytes)
    maps.put("shop", "r1", "/static/js/app.min.js", MAP, SOURCE)
    with TestClient(app=create_app(settings)) as client:  # one more, symbolicated at ingest
        response = client.post(
            "/__deco/rum",
            content=batch("pv4", "s3", "/cart"),
            headers={"content-type": "text/plain"},
        )
        assert response.status_code == 204, response.text
    return settings


def query(settings: Settings, capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code = main(["query", "errors", "--dsn", settings.dsn, "--format", "json", *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_the_cli_symbolicates_stacks_stored_before_the_map(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    report = query(settings, capsys, "--site", "shop")
    (row,) = report["rows"]  # four page views, one bug: one row
    assert len(row["fingerprints"]) == 2  # stored before the map (rule 2) and after (rule 1)
    assert row["fingerprint"] in row["fingerprints"] and row["page_views"] == 5
    assert row["top_frame"] == "applyDiscount (src/cart/discount.ts:6:11)"
    assert row["mapped"] == "3/3 frames mapped"
    assert "rum.error.stack.minified" in report["sql"]


def test_the_detail_has_the_stack_releases_routes_and_weighted_reach(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    fingerprint = query(settings, capsys)["rows"][0]["fingerprint"]
    (row,) = query(settings, capsys, "--fingerprint", fingerprint)["rows"]
    assert row["stack"].splitlines()[1:] == SYMBOLICATED_FRAMES
    assert row["releases"] == ["r1"] and row["routes"] == ["/cart", "/checkout"]
    assert row["page_views"] == 5  # 1 + 1 + 1/0.5 + 1
    assert row["sessions"] == 4  # s1 once, s2 weighs 2, s3
    assert row["count"] == 10  # 2 a page view, weighted
    assert sorted(row["fingerprints"]) == sorted(query(settings, capsys)["rows"][0]["fingerprints"])
    assert row["first_seen"] <= row["last_seen"]
    assert row["mapped"] == "3/3 frames mapped"


def test_the_detail_in_a_table_reads_top_down(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    fingerprint = query(settings, capsys)["rows"][0]["fingerprint"]
    assert main(["query", "errors", "--dsn", settings.dsn, "--fingerprint", fingerprint]) == 0
    out = capsys.readouterr().out
    assert f"fingerprint: {fingerprint}" in out
    assert "routes:      /cart, /checkout" in out
    assert "    at applyDiscount (src/cart/discount.ts:6:11)" in out


def test_an_unknown_fingerprint_is_a_clear_usage_error(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["query", "errors", "--dsn", settings.dsn, "--fingerprint"]
    assert main([*argv, "0123456789abcdef"]) == 2
    assert "no error with fingerprint '0123456789abcdef'" in capsys.readouterr().err
    assert main([*argv, "../x'"]) == 2
    assert "fingerprint must be an id" in capsys.readouterr().err


def test_the_api_answers_the_same(settings: Settings) -> None:
    app = create_app(dataclasses.replace(settings, api_token="t0ken"))
    with TestClient(app=app) as client:
        client.headers["Authorization"] = "Bearer t0ken"
        top = client.get("/__deco/rum/api/errors", params={"site": "shop"}).json()
        assert top["rows"][0]["top_frame"] == "applyDiscount (src/cart/discount.ts:6:11)"
        fingerprint = top["rows"][0]["fingerprint"]
        detail = client.get("/__deco/rum/api/errors", params={"fingerprint": fingerprint})
        assert detail.status_code == 200
        assert "at checkout (src/cart/checkout.ts:6:17)" in detail.json()["rows"][0]["stack"]
        missing = client.get("/__deco/rum/api/errors", params={"fingerprint": "ffff"})
        assert missing.status_code == 400 and "no error with fingerprint" in missing.text


def test_the_detail_answers_for_any_fingerprint_the_bug_gathers(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    stored = query(settings, capsys)["rows"][0]["fingerprints"]
    details = [query(settings, capsys, "--fingerprint", one)["rows"][0] for one in stored]
    assert details[0]["fingerprint"] == details[1]["fingerprint"]
    assert details[0]["page_views"] == details[1]["page_views"] == 5
