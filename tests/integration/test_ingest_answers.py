"""Every answer POST /__deco/rum gives, with its body: 204, 202, 400, 403, 413, 415, 503.

Whatever the input, the answer is never a 500.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from rum_server.app import create_app
from tests.conftest import make_settings, read_rows

TEXT = {"content-type": "text/plain;charset=UTF-8"}


def batch(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "v": 1,
        "site": "shop",
        "url": "https://shop.example/cart",
        "pv": "pv1",
        "sid": "sid1",
        "st": 1_764_446_400_000,
        "events": [{"t": "page_view", "ts": 1_764_446_399_000}],
    }
    body.update(overrides)
    return body


def vital(name: str = "LCP", value: float = 1000, **extra: Any) -> dict[str, Any]:
    return {
        "t": "web_vital",
        "ts": 1_764_446_399_500,
        "name": name,
        "v": value,
        "id": "v5-1",
        **extra,
    }


def post(
    client: TestClient[Any],
    body: bytes | str | dict[str, Any],
    headers: dict[str, str] | None = None,
) -> Any:
    if isinstance(body, dict):
        body = json.dumps(body)
    data = body.encode() if isinstance(body, str) else body
    return client.post("/__deco/rum", content=data, headers=headers or TEXT)


def test_a_valid_batch_gets_204_with_no_body(client: TestClient[Any]) -> None:
    response = post(client, batch())
    assert response.status_code == 204
    assert response.content == b""


def test_application_json_is_accepted_too(client: TestClient[Any]) -> None:
    assert post(client, batch(), {"content-type": "application/json"}).status_code == 204


def test_some_invalid_events_give_202_naming_each_rejected_index(client: TestClient[Any]) -> None:
    events = [vital(), vital("CLS", 250), {"t": "nope", "ts": 1}, vital("INP", 40, extra=1)]
    response = post(client, batch(events=events))
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 1
    assert [item["index"] for item in body["rejected"]] == [1, 2, 3]
    reasons = " | ".join(item["reason"] for item in body["rejected"])
    assert "CLS 250" in reasons and "nope" in reasons and "extra" in reasons


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"{not json", "body is not valid JSON"),
        (b"", "body is not valid JSON"),
        (b"[]", "invalid batch"),
        (json.dumps(batch(v=2)), "invalid batch"),
        (json.dumps(batch(site="")), "invalid batch"),
        (json.dumps(batch(site="bad site!")), "invalid batch"),
        (json.dumps(batch(events=[])), "invalid batch"),
        (json.dumps(batch(events=[{"t": "page_view"}] * 201)), "invalid batch"),
        (json.dumps(batch(rate=0)), "invalid batch"),
        (json.dumps(batch(events=[vital(value=600_001)])), "no valid event in the batch"),
        (json.dumps(batch(events=[vital(value=-1)])), "no valid event in the batch"),
        (json.dumps(batch(events=[vital(value="12")])), "no valid event in the batch"),
        (
            b'{"v":1,"site":"s","url":"u","pv":"p","sid":"s","st":NaN,"events":[]}',
            "body is not valid JSON",
        ),
        (
            json.dumps(batch(events=[vital(value=1e400)])).replace("Infinity", "1e400"),
            "no valid event in the batch",
        ),
    ],
    ids=[
        "syntax",
        "empty",
        "array",
        "version",
        "empty-site",
        "bad-site",
        "no-events",
        "too-many-events",
        "rate-zero",
        "vital-too-big",
        "vital-negative",
        "vital-string",
        "nan",
        "infinity",
    ],
)
def test_malformed_batches_get_400_naming_what_is_wrong(
    client: TestClient[Any], body: str | bytes, expected: str
) -> None:
    response = post(client, body)
    assert response.status_code == 400, response.text
    payload = response.json()
    assert payload["error"] == expected
    assert isinstance(payload["detail"], list) and payload["detail"]


def test_malformed_optional_context_is_dropped_and_the_batch_kept(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    with TestClient(app=create_app(settings)) as client:
        body = batch(tp="not-a-traceparent", vp="wide", uh="not hex!")
        assert post(client, body).status_code == 204
    (row,) = read_rows(settings)
    assert (row["TraceId"], row["SpanId"]) == ("", "")
    assert "rum.viewport" not in row["LogAttributes"]
    assert "rum.user.hash" not in row["LogAttributes"]


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data", "image/png"]
)
def test_other_content_types_get_415(client: TestClient[Any], content_type: str) -> None:
    response = post(client, batch(), {"content-type": content_type})
    assert response.status_code == 415
    assert "text/plain or application/json" in response.json()["error"]


def test_unknown_content_encoding_gets_415(client: TestClient[Any]) -> None:
    response = post(client, batch(), {**TEXT, "content-encoding": "br"})
    assert response.status_code == 415
    assert "gzip" in response.json()["error"]


def test_a_body_that_claims_gzip_but_is_not_gets_400(client: TestClient[Any]) -> None:
    response = post(client, b"plain text", {**TEXT, "content-encoding": "gzip"})
    assert response.status_code == 400
    assert "gzip" in response.json()["error"]


def test_a_raw_body_over_64_kib_gets_413(client: TestClient[Any]) -> None:
    padding = "x" * (65 * 1024)
    response = post(client, batch(route=padding))
    assert response.status_code == 413
    assert "65536" in response.json()["error"]


def test_a_gzip_bomb_over_256_kib_decompressed_gets_413(client: TestClient[Any]) -> None:
    bomb = gzip.compress(b" " * (10 * 1024 * 1024))
    assert len(bomb) < 64 * 1024
    response = post(client, bomb, {**TEXT, "content-encoding": "gzip"})
    assert response.status_code == 413
    assert "decompressed" in response.json()["error"]


def test_sites_outside_the_allow_list_get_403(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", sites=("shop",))
    with TestClient(app=create_app(settings)) as client:
        assert post(client, batch()).status_code == 204
        response = post(client, batch(site="other"))
        assert response.status_code == 403
        assert "other" in response.json()["error"]


def test_cross_origin_beacons_get_403_unless_allowed(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", allowed_origins=("https://shop.example",))
    with TestClient(app=create_app(settings)) as client:
        same = post(client, batch(), {**TEXT, "origin": "http://testserver.local"})
        assert same.status_code == 204
        allowed = post(client, batch(), {**TEXT, "origin": "https://shop.example"})
        assert allowed.status_code == 204
        assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
        denied = post(client, batch(), {**TEXT, "origin": "https://evil.example"})
        assert denied.status_code == 403
        assert "evil.example" in denied.json()["error"]


@pytest.mark.parametrize(
    ("origin", "forwarded_proto", "status"),
    [
        ("https://SHOP.example:443", None, 204),  # the allowed origin, spelt differently
        ("http://shop.example", None, 403),  # same host, another scheme
        ("https://shop.example:8443", None, 403),  # same host, another port
        ("http://testserver.local:80", None, 204),  # same origin, default port spelt out
        ("https://testserver.local", None, 403),  # same host, but the page was https
        ("https://testserver.local", "https", 204),  # ... as the TLS proxy says it was
        ("null", None, 403),
    ],
)
def test_origins_are_compared_by_scheme_host_and_port(
    tmp_path: Path, origin: str, forwarded_proto: str | None, status: int
) -> None:
    settings = make_settings(tmp_path / "data", allowed_origins=("https://shop.example",))
    headers = {**TEXT, "origin": origin}
    if forwarded_proto:
        headers["x-forwarded-proto"] = forwarded_proto
    with TestClient(app=create_app(settings)) as client:
        assert post(client, batch(), headers).status_code == status


def test_deeply_nested_json_gets_a_clear_400(client: TestClient[Any]) -> None:
    nested = json.dumps(batch(deep="DEEP")).replace('"DEEP"', "[" * 5000 + "]" * 5000)
    response = post(client, nested)
    assert response.status_code == 400
    assert "nests deeper than 16 levels" in response.json()["detail"][0]


def test_a_gzip_body_cut_before_its_trailer_gets_400(client: TestClient[Any]) -> None:
    cut = gzip.compress(json.dumps(batch()).encode())[:-8]
    response = post(client, cut, {**TEXT, "content-encoding": "gzip"})
    assert response.status_code == 400
    assert "trailer" in response.json()["error"]


def test_a_full_queue_answers_503_with_retry_after(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", queue_max_rows=3)
    with TestClient(app=create_app(settings)) as client:
        response = post(client, batch(events=[vital()] * 4))
        assert response.status_code == 503
        assert int(response.headers["retry-after"]) > 0
        assert "queue" in response.json()["error"]


def mutate(seed: int, original: bytes) -> bytes:
    """Random byte-level damage: flips, cuts, insertions of JSON-ish tokens."""
    rng = random.Random(seed)
    data = bytearray(original)
    tokens = [
        b"{",
        b"}",
        b"[",
        b"]",
        b'"',
        b":",
        b",",
        b"null",
        b"-1",
        b"1e999",
        b"\\u0000",
        b'"t":"error"',
        b"\xff",
        b"0" * 30,
    ]
    for _ in range(rng.randint(1, 6)):
        choice = rng.random()
        position = rng.randrange(len(data) + 1)
        if choice < 0.4 and data:
            data[min(position, len(data) - 1)] = rng.randrange(256)
        elif choice < 0.7:
            data[position:position] = rng.choice(tokens)
        else:
            del data[position : position + rng.randint(1, 20)]
    return bytes(data)


def test_no_input_ever_gets_a_500(client: TestClient[Any]) -> None:
    examples = [
        p.read_bytes() for p in (Path(__file__).parents[2] / "docs" / "examples").glob("*.json")
    ]
    statuses = set()
    for seed in range(400):
        body = mutate(seed, examples[seed % len(examples)])
        response = post(client, body)
        assert response.status_code in {202, 204, 400, 403}, (seed, response.text)
        statuses.add(response.status_code)
    assert 400 in statuses


def test_a_client_over_the_rate_limit_gets_429_with_retry_after(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", rate_limit=1.0, client_ip_header="cf-connecting-ip")
    with TestClient(app=create_app(settings)) as client:
        visitor = {**TEXT, "cf-connecting-ip": "198.51.100.7"}
        assert [post(client, batch(), visitor).status_code for _ in range(2)] == [204, 204]
        limited = post(client, batch(), visitor)
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert "slow down" in limited.json()["error"]
        other = {**TEXT, "cf-connecting-ip": "198.51.100.8"}
        assert post(client, batch(), other).status_code == 204
