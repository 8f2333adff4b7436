"""The stored rows do not change when the pipeline gets faster: every column of every row.

``tests/data/golden_rows.json.gz`` holds inputs (the docs' example batches, the PII
corpus's cases, a sample of the benchmark corpus with real User-Agents, and edge cases:
resources, labels, bad events, odd ids) with the rows the pipeline of commit ``aae5372``
made from them: written once from that commit's code, before the speed work of
issue 11, and never from the code under test. A difference in any column, in a rejected
event's reason or in a refused batch's answer fails here, so a speed-up cannot quietly
change what is stored.

    PYTHONPATH=<a checkout of the old code> python -m tests.unit.transform.test_rows_golden --write

Ids the redactor replaces are keyed hashes with a per-process key; the test fixes the key
so they compare.
"""

from __future__ import annotations

import base64
import gzip
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rum_server.settings import Settings
from rum_server.transform import redact, rows
from rum_server.transform.pipeline import Pipeline, RequestContext
from rum_server.transform.refusals import BatchRefused

REPO = Path(__file__).resolve().parents[3]
GOLDEN = REPO / "tests" / "data" / "golden_rows.json.gz"
RECEIVED_NS = 1_764_550_000_123_456_789
"""The receive time of every batch (a fixed input: the clock is passed in)."""
HASH_KEY = bytes(range(32))
RENAMED = {"MalformedBatch": "BatchRefused", "Forbidden": "SiteNotAccepted"}
"""The refusals' classes as issue 8 renamed them (messages and details unchanged)."""


def _sample_inputs() -> Iterator[tuple[str, str, bytes]]:
    """(name, User-Agent, body) for every golden case; only used to write the file."""
    from bench.corpus import Generator
    from tests.integration.test_pii_corpus import CASES, batch_for

    agents = [
        line
        for line in (REPO / "tests" / "data" / "user-agents.txt").read_text().splitlines()
        if line
    ]
    rng = random.Random(11)
    for path in sorted((REPO / "docs" / "examples").glob("*.json")):
        for ua in ["", *rng.sample(agents, 3)]:
            yield f"example {path.name}", ua, path.read_bytes()
    now_ms = RECEIVED_NS / 1e6
    for index, case in enumerate(CASES):
        header = case.get("header", {}).get("user-agent", rng.choice(agents))
        yield f"pii {index}", header, batch_for(case, index, now_ms)
    for index, beacon in enumerate(Generator().beacons(1500)[::5]):
        ua = beacon.user_agent if index % 2 else rng.choice(agents)
        yield f"corpus {index}", ua, beacon.body
    yield from _edge_cases(rng, agents, now_ms)


def _edge_cases(
    rng: random.Random, agents: list[str], now_ms: float
) -> Iterator[tuple[str, str, bytes]]:
    envelope: dict[str, Any] = {
        "v": 1,
        "site": "shop",
        "url": "https://shop.example/c/sapatos?utm_source=x&q=ana%40x.org#top",
        "pv": "pv-edge",
        "sid": "s-edge",
        "st": now_ms,
        "tp": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "rid": "req-1",
        "ray": "8f1e2d3c4b5a6978-GRU",
        "uh": "A" * 64,
        "ref": "https://user:pw@www.Google.com:443/search?q=x",
    }
    ids = [
        "v5-1764446590000-6666666666666",
        "v5-1764446590000-4111111111111",  # a 13-digit Visa number (Luhn-valid)
        "v5-1764446590000-5511912345678",  # a Brazilian mobile
        "v5-1764446590000-123456789",
        "v5-123-45",
        "v4-1764446590000-8888888888888",
        "v3-1764446590000-1234567890123",
        "v5-1764446590000-17644465900001",
        "v1-123456789-01",
        "12345678901",
        "abc.def@x",
        "v5-1764446590000-666666666666x",
        "x" * 64,
        "eyJhbGciOi.eyJzdWIiOi.sig",
        "a:b::c:d",
        "id-123.456.789-09",
        "sk_live_abcdefghijklmnop",
        *(f"v5-{rng.randrange(10**12, 10**13)}-{rng.randrange(10**12, 10**13)}" for _ in range(40)),
        *(f"v5-{rng.randrange(10**12, 10**13)}-{rng.randrange(10**7, 10**13)}" for _ in range(40)),
    ]
    for start in range(0, len(ids), 10):
        events: list[dict[str, Any]] = []
        for offset, metric_id in enumerate(ids[start : start + 10]):
            name = ("LCP", "CLS", "INP", "FCP", "TTFB", "FID")[offset % 6]
            value = rng.choice((0, 0.1, 0.25, 0.00004, 1.23456, 2500, 4000.5, 123456.7, 1e-9))
            event: dict[str, Any] = {"t": "web_vital", "ts": now_ms - offset, "name": name}
            event |= {"v": value, "id": metric_id}
            if offset % 3 == 0:
                event["d"] = rng.choice((-1.5, 0, 3.33333, value))
            if offset % 4 == 0:
                event["attr"] = {"url": "https://cdn.x/a.png?t=1", "el": "#ana@x.org", "k y": "1"}
            events.append(event)
        body = {**envelope, "pv": f"pv-edge-{start}", "events": events}
        yield f"edge ids {start}", rng.choice(agents), json.dumps(body).encode()
    events = [
        {"t": "resources", "ts": now_ms, "n": 40, "b": 123456, "c": 10, "rb": 2,
         "i": {"script": [10, 5000], "img": [20, 90000], "Bad Key": [1, 1]},
         "ct": {"text/javascript": [10, 5000], "image/webp": [20, 90000], "x": [1, 2]},
         "h": {"cdn.shop.example": [5, 100], "www.google-analytics.com": [3, 300],
               "10.0.0.1": [1, 1], "static.other.com.br": [2, 20]},
         "s": [["https://cdn.x/orders/123456/receipt.png?u=1", 812.34],
               ["https://shop.example/api/cart/ana@x.org", 400.0], ["not a url", 1.0]]},
        {"t": "resources", "ts": now_ms, "n": 0},
        {"t": "event", "ts": now_ms, "name": "BadName"},
        {"t": "event", "ts": now_ms, "name": "view_item",
         "labels": {"a": "x", "b": "ana@x.org", "c": "12345678", "d": "y", "e": "z", "f": "w",
                    "bad key!": "v", "uuid": "0af76519-16cd-43dd-8448-eb211c80319c"},
         "attrs": {"4111111111111111": "k", "ok": "fine", "mail": "ana@x.org"}},
        {"t": "event", "ts": now_ms, "name": "purchase", "labels": {"v": "x" * 100}},
        {"t": "web_vital", "ts": now_ms, "name": "CLS", "v": 150, "id": "v5-1-2"},
        {"t": "web_vital", "ts": 1, "name": "LCP", "v": 1, "id": "v5-1-2"},
        {"t": "error", "ts": now_ms, "msg": "boom at https://x.org/a?b=c", "n": 2,
         "src": "unhandledrejection", "stack": "Error: boom\n    at f (https://x.org/app.js:1:2)",
         "fp": "deadbeef12", "type": "Type\u0000Error"},
        {"t": "page_view", "ts": now_ms + 10**9},
        {"t": "web_vital", "ts": now_ms, "name": "LCP", "v": 1, "id": "bad id"},
    ]  # fmt: skip
    body = {**envelope, "vp": "1x1", "conn": "wifi", "env": "stag ing", "events": events}
    yield "edge mixed", rng.choice(agents), json.dumps(body).encode()
    for site in ("shop", "ana@x.org", "12345678901", "4111-1111-1111-1111"):
        body = {**envelope, "site": site, "events": events[-2:]}
        yield f"edge site {site}", "", json.dumps(body).encode()
    yield "edge not json", "", b"{"
    yield "edge no events", "", json.dumps({**envelope, "events": []}).encode()
    yield "edge all bad", "", json.dumps({**envelope, "events": [{"t": "x"}]}).encode()
    deep = b'{"v":1,"x":' + b"[" * 40 + b"]" * 40 + b"}"
    yield "edge deep", "", deep


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _ordered(value: Any) -> Any:
    """Dicts as lists of pairs, so the order of a Map's keys counts too."""
    if isinstance(value, dict):
        return [(k, _ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


def run_case(pipeline: Pipeline, user_agent: str, body: bytes) -> dict[str, Any]:
    """What the pipeline makes of one batch: every column of its rows, or its refusal."""
    try:
        processed = pipeline.process(body, RequestContext(RECEIVED_NS, user_agent, "BR"))
    except BatchRefused as exc:
        detail = _jsonable(exc.detail)
        return {"error": type(exc).__name__, "message": exc.message, "detail": detail}
    return {
        "columns": _jsonable(processed.columns.merged()),
        "rejected": _jsonable(processed.rejected),
    }


def fresh_pipeline() -> Pipeline:
    return Pipeline(Settings(dsn="chdb:///nonexistent-golden"))


def _clear_caches() -> None:
    """Every per-process cache that holds a hashed id (it depends on the key)."""
    rows.clean_id_cached.cache_clear()


def write() -> None:
    redact._ID_HASH_KEY = HASH_KEY
    _clear_caches()
    pipeline = fresh_pipeline()
    cases = []
    for name, ua, body in _sample_inputs():
        cases.append(
            {
                "name": name,
                "user_agent": ua,
                "body": base64.b64encode(body).decode(),
                "result": run_case(pipeline, ua, body),
            }
        )
    GOLDEN.write_bytes(gzip.compress(json.dumps(cases, ensure_ascii=False).encode(), mtime=0))
    print(f"wrote {len(cases)} cases to {GOLDEN}")


CASES: list[dict[str, Any]] = json.loads(gzip.decompress(GOLDEN.read_bytes()))


@pytest.fixture
def fixed_hash_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(redact, "_ID_HASH_KEY", HASH_KEY)
    _clear_caches()
    yield
    _clear_caches()


def test_the_golden_file_covers_every_kind_of_input() -> None:
    names = [case["name"].split(" ")[0] for case in CASES]
    assert {"example", "pii", "corpus", "edge"} <= set(names)
    assert len(CASES) > 900
    stored = [case for case in CASES if "columns" in case["result"]]
    events = {name for case in stored for name in case["result"]["columns"]["EventName"]}
    assert events == {"rum.page_view", "rum.web_vital", "rum.error", "rum.event", "rum.resources"}


@pytest.mark.usefixtures("fixed_hash_key")
def test_every_column_of_every_row_is_what_the_old_pipeline_stored() -> None:
    pipeline = fresh_pipeline()  # one pipeline in order: label and route budgets carry over
    different = []
    for case in CASES:
        got = run_case(pipeline, case["user_agent"], base64.b64decode(case["body"]))
        expected = case["result"]
        if "error" in expected:
            expected = {**expected, "error": RENAMED.get(expected["error"], expected["error"])}
        if _ordered(got) != _ordered(expected):  # a Map keeps its keys' order
            different.append(case["name"])
            first, first_expected, first_got = case, expected, got
    if different:
        detail = {
            column: (values, first_got.get("columns", {}).get(column))
            for column, values in first_expected.get("columns", first_expected).items()
            if first_got.get("columns", first_got).get(column) != values
        }
        pytest.fail(f"{len(different)} cases differ, first {first['name']!r}: {detail}")


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    write()
