"""Source maps through the API: upload, list, delete, guarded like the query API, and
refused with a clear 4xx when malformed, oversized or aimed outside the directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from rum_server.app import create_app
from tests.conftest import make_settings
from tests.fixture_bundle import MAP, SOURCE

URL = "/__deco/rum/api/sourcemaps"
TOKEN = "maps-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WHERE = {"site": "shop", "release": "r1", "path": "/static/js/app.min.js"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient[Any]]:
    settings = make_settings(tmp_path / "data", api_token=TOKEN, sourcemap_max_bytes=100_000)
    with TestClient(app=create_app(settings)) as test_client:
        yield test_client


def test_upload_list_and_delete(client: TestClient[Any], tmp_path: Path) -> None:
    answer = client.put(URL, params=WHERE, content=MAP, headers=AUTH)
    assert answer.status_code == 201, answer.text
    assert answer.json()["path"] == "/static/js/app.min.js"
    assert answer.json()["with_source"] is False
    answer = client.put(URL, params={**WHERE, "kind": "source"}, content=SOURCE, headers=AUTH)
    assert answer.status_code == 201 and answer.json()["with_source"] is True
    listed = client.get(URL, params={"site": "shop"}, headers=AUTH).json()
    assert [(m["release"], m["path"]) for m in listed] == [("r1", "/static/js/app.min.js")]
    assert (tmp_path / "data.sourcemaps" / "shop" / "r1").is_dir()
    answer = client.delete(URL, params={"site": "shop", "release": "r1"}, headers=AUTH)
    assert answer.status_code == 200 and answer.json() == {"deleted": 1}
    assert client.get(URL, params={"site": "shop"}, headers=AUTH).json() == []
    assert (
        client.delete(URL, params={"site": "shop", "release": "r1"}, headers=AUTH).status_code
        == 404
    )


def test_every_call_needs_the_token(client: TestClient[Any]) -> None:
    assert client.put(URL, params=WHERE, content=MAP).status_code == 401
    assert client.get(URL).status_code == 401
    assert client.delete(URL, params=WHERE).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.put(URL, params=WHERE, content=MAP, headers=wrong).status_code == 401


@pytest.mark.parametrize(
    ("params", "body", "status", "says"),
    [
        (WHERE, b"{ not json", 400, "not a valid source map"),
        (WHERE, b"{}" + b" " * 100_000, 413, "100,000-byte source map cap"),
        ({**WHERE, "site": "../etc"}, MAP, 400, "not a site id"),
        ({**WHERE, "path": "/"}, MAP, 400, "is not the URL path of a script"),
        ({**WHERE, "kind": "zip"}, MAP, 400, "kind must be map or source"),
        ({**WHERE, "kind": "source"}, SOURCE, 400, "upload the map of /static/js/app.min.js first"),
    ],
    ids=["malformed", "oversized", "bad site", "bad path", "bad kind", "source before map"],
)
def test_bad_uploads_are_refused_with_the_reason(
    client: TestClient[Any], params: dict[str, str], body: bytes, status: int, says: str
) -> None:
    answer = client.put(URL, params=params, content=body, headers=AUTH)
    assert answer.status_code == status, answer.text
    assert says in answer.text
    assert client.get(URL, headers=AUTH).json() == []


def test_a_traversing_release_stays_inside_the_directory(
    client: TestClient[Any], tmp_path: Path
) -> None:
    params = {**WHERE, "release": "../../../../tmp/evil"}
    assert client.put(URL, params=params, content=MAP, headers=AUTH).status_code == 201
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix == ".map"]
    assert written and all(p.is_relative_to(tmp_path / "data.sourcemaps") for p in written)
