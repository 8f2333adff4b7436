"""At ingest, an error of a release with a map is stored symbolicated (the minified stack
kept beside it); a missing, broken, wrong-release or oversized map changes nothing but the
stack staying minified, and never holds the batch past its budget."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from rum_server.settings import Settings
from rum_server.sourcemaps.store import INGEST_BUDGET_SECONDS, SourceMapStore
from rum_server.sourcemaps.symbolicator import stack_symbolicator
from rum_server.transform.pipeline import Pipeline, RequestContext
from tests.fixture_bundle import MAP, SCRIPT, SOURCE, STACK, SYMBOLICATED_FRAMES

REQUEST = RequestContext(received_ns=1_800_000_000_000_000_000, user_agent="curl/8.0")


def error_batch(release: str = "r1", page: str = "https://shop.example/p/1") -> bytes:
    event = {
        "t": "error",
        "ts": 1.0,
        "type": "RangeError",
        "msg": 'discount code "SAVE50" is not valid for a cart of 129',
        "stack": STACK,
        "file": SCRIPT,
        "line": 1,
        "col": 561,
        "fp": "client-made-<script>",
    }
    batch = {"v": 1, "site": "shop", "url": page, "pv": "p", "sid": "s", "st": 1.0, "ver": release}
    return json.dumps({**batch, "events": [event]}).encode()


def stored(settings: Settings, batch: bytes) -> dict[str, Any]:
    pipeline = Pipeline(settings, stack_symbolicator(settings, INGEST_BUDGET_SECONDS))
    columns = pipeline.process(batch, REQUEST).columns
    attributes: dict[str, Any] = columns.data["LogAttributes"][0]
    return attributes


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(dsn=f"chdb://{tmp_path / 'data'}", sourcemap_max_bytes=100_000)


def maps(settings: Settings) -> SourceMapStore:
    return SourceMapStore(settings.sourcemap_path, settings.sourcemap_max_bytes)


def test_an_error_of_a_mapped_release_is_stored_symbolicated(settings: Settings) -> None:
    maps(settings).put("shop", "r1", "/static/js/app.min.js", MAP, SOURCE)
    attributes = stored(settings, error_batch())
    assert attributes["rum.error.stack"].splitlines()[1:] == SYMBOLICATED_FRAMES
    assert attributes["rum.error.stack.minified"] == STACK
    assert attributes["rum.error.file"] == SCRIPT  # what the browser reported stays


@pytest.mark.parametrize(
    "setup",
    [
        pytest.param(lambda store: None, id="no map"),
        pytest.param(
            lambda store: store.put("shop", "r0", "/static/js/app.min.js", MAP, SOURCE),
            id="another release's map",
        ),
        pytest.param(
            lambda store: (
                (store.root / "shop" / "r1").mkdir(parents=True)
                or (store.root / "shop" / "r1" / "~L3N0YXRpYy9qcy9hcHAubWluLmpz.map").write_text(
                    "{"
                )
            ),
            id="malformed map",
        ),
        pytest.param(
            lambda store: (
                (store.root / "shop" / "r1").mkdir(parents=True)
                or (store.root / "shop" / "r1" / "~L3N0YXRpYy9qcy9hcHAubWluLmpz.map").write_bytes(
                    b" " * 200_000 + MAP
                )
            ),
            id="oversized map",
        ),
    ],
)
def test_without_a_usable_map_the_error_is_stored_as_sent(settings: Settings, setup: Any) -> None:
    setup(maps(settings))
    started = time.monotonic()
    attributes = stored(settings, error_batch())
    assert time.monotonic() - started < 2  # the budget is 0.05 s; the rest is slack
    assert attributes["rum.error.stack"] == STACK
    assert "rum.error.stack.minified" not in attributes
    assert len(attributes["rum.error.fingerprint"]) == 16


def test_a_batch_without_a_release_is_not_symbolicated(settings: Settings) -> None:
    maps(settings).put("shop", "r1", "/static/js/app.min.js", MAP, SOURCE)
    attributes = stored(settings, error_batch(release=""))
    assert attributes["rum.error.stack"] == STACK


def test_a_redacted_host_in_the_stack_still_finds_its_map(settings: Settings) -> None:
    """Redaction turns http://127.0.0.1:8000/ into http://[ip]:8000/, which urlsplit refuses."""
    maps(settings).put("shop", "r1", "/static/js/app.min.js", MAP, SOURCE)
    redacted = error_batch().replace(b"https://shop.example/", b"http://127.0.0.1:8000/")
    attributes = stored(settings, redacted)
    assert "[ip]" in attributes["rum.error.stack.minified"]
    assert attributes["rum.error.stack"].splitlines()[1:] == SYMBOLICATED_FRAMES


def test_a_symbolicator_that_fails_costs_nothing_but_the_symbols(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    maps(settings).put("shop", "r1", "/static/js/app.min.js", MAP, SOURCE)

    def explode(*_args: object) -> None:
        raise RuntimeError("a map nobody foresaw")

    monkeypatch.setattr("rum_server.sourcemaps.symbolicator.symbolicate", explode)
    attributes = stored(settings, error_batch())
    assert attributes["rum.error.stack"] == STACK and len(attributes["rum.error.fingerprint"]) == 16
