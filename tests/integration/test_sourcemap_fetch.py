"""Following sourceMappingURL: only for allowed origins, once per script, never a redirect,
never past the size cap, and then errors of that release are symbolicated at ingest."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rum_server.settings import Settings
from rum_server.sourcemaps.fetch import MapFetcher, origin_of
from rum_server.sourcemaps.store import (
    INGEST_BUDGET_SECONDS,
    SourceMapError,
    SourceMapStore,
)
from rum_server.sourcemaps.symbolicator import stack_symbolicator
from rum_server.transform.pipeline import Pipeline, RequestContext
from tests.fixture_bundle import MAP, SOURCE, STACK, SYMBOLICATED_FRAMES

INLINE = SOURCE.split(b"//# sourceMappingURL=")[0] + (
    b"//# sourceMappingURL=data:application/json;base64," + base64.b64encode(MAP) + b"\n"
)


class Origin:
    """A real HTTP server on 127.0.0.1 serving the fixture bundle; it counts requests."""

    def __init__(self) -> None:
        files = {
            "/static/js/app.min.js": SOURCE,
            "/static/js/app.min.js.map": MAP,
            "/inline/app.min.js": INLINE,
            "/nomap/app.min.js": b"var a=1;",
            "/big/app.min.js": SOURCE.replace(b"app.min.js.map", b"huge.map"),
            "/big/huge.map": b" " * 300_000,
        }
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                if self.path.startswith("/moved/"):
                    self.send_response(302)
                    self.send_header("Location", "/static/js/app.min.js")
                    self.end_headers()
                    return
                body = files.get(self.path.split("?", 1)[0])
                self.send_response(200 if body is not None else 404)
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://localhost:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def origin() -> Iterator[Origin]:
    served = Origin()
    yield served
    served.close()


@pytest.fixture
def store(tmp_path: Path) -> SourceMapStore:
    return SourceMapStore(tmp_path / "maps", max_bytes=100_000)


def test_a_map_is_fetched_from_its_sourcemappingurl(origin: Origin, store: SourceMapStore) -> None:
    entry = MapFetcher(store, (origin.url,)).fetch(
        "shop", "r1", f"{origin.url}/static/js/app.min.js?v="
    )
    assert (entry.path, entry.with_source) == ("/static/js/app.min.js", True)
    assert origin.requests == ["/static/js/app.min.js?v=", "/static/js/app.min.js.map"]


def test_an_inline_data_url_map_needs_no_second_request(
    origin: Origin, store: SourceMapStore
) -> None:
    MapFetcher(store, (origin.url,)).fetch("shop", "r1", f"{origin.url}/inline/app.min.js")
    assert origin.requests == ["/inline/app.min.js"]
    assert [e.path for e in store.list("shop")] == ["/inline/app.min.js"]


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/nomap/app.min.js", "no sourceMappingURL comment"),
        ("/missing.js", "answered 404"),
        ("/moved/app.js", "answered 302"),
        ("/big/app.min.js", "over the 100,000-byte cap"),
    ],
)
def test_what_cannot_be_fetched_says_why_and_stores_nothing(
    origin: Origin, store: SourceMapStore, path: str, says: str
) -> None:
    with pytest.raises(SourceMapError, match=says):
        MapFetcher(store, (origin.url,)).fetch("shop", "r1", origin.url + path)
    assert store.list() == []
    assert not any(request.startswith("/static") for request in origin.requests)  # no redirect


def test_no_request_leaves_for_an_origin_not_allowed(origin: Origin, store: SourceMapStore) -> None:
    fetcher = MapFetcher(store, ("https://shop.example",))
    with pytest.raises(SourceMapError, match="is not an allowed origin"):
        fetcher.fetch("shop", "r1", f"{origin.url}/static/js/app.min.js")
    assert fetcher.want("shop", "r1", f"{origin.url}/static/js/app.min.js") is None
    assert origin.requests == []
    assert origin_of("HTTPS://Shop.Example:8443/a.js?x") == "https://shop.example:8443"
    assert origin_of("data:text/javascript,1") == ""


def test_each_script_is_tried_once(origin: Origin, store: SourceMapStore) -> None:
    fetcher = MapFetcher(store, (origin.url,))
    first = fetcher.want("shop", "r1", f"{origin.url}/nomap/app.min.js")
    assert first is not None and first.result(timeout=30) is None
    assert fetcher.want("shop", "r1", f"{origin.url}/nomap/app.min.js?v=2") is None
    assert origin.requests == ["/nomap/app.min.js"]


def test_off_by_default_and_at_ingest_when_allowed(origin: Origin, tmp_path: Path) -> None:
    assert Settings().sourcemap_fetch_origins == ()
    settings = Settings(dsn=f"chdb://{tmp_path / 'data'}", sourcemap_fetch_origins=(origin.url,))
    pipeline = Pipeline(settings, stack_symbolicator(settings, INGEST_BUDGET_SECONDS))
    stack = STACK.replace("https://shop.example", origin.url)
    event = {"t": "error", "ts": 1.0, "type": "RangeError", "msg": "x", "stack": stack}
    envelope = {"v": 1, "site": "shop", "url": f"{origin.url}/p", "pv": "p", "sid": "s", "st": 1.0}
    body = json.dumps({**envelope, "ver": "r1", "events": [event]}).encode()
    request = RequestContext(received_ns=1_800_000_000_000_000_000)

    def stored_stack() -> str:
        attributes = pipeline.process(body, request).columns.data["LogAttributes"][0]
        return str(attributes["rum.error.stack"])

    assert stored_stack() == stack  # the first error only starts the fetch
    deadline = time.monotonic() + 30
    while (
        not SourceMapStore(settings.sourcemap_path, 1 << 25).list("shop")
        and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    assert stored_stack().splitlines()[1:] == SYMBOLICATED_FRAMES


def test_a_fetch_origin_must_be_an_origin() -> None:
    problems = Settings(sourcemap_fetch_origins=("shop.example", "https://x.example/js")).validate()
    assert len([p for p in problems if "source map fetch origin" in p]) == 2
