"""Symbolication: a real esbuild stack maps back to the original function, file and line;
a missing, broken or slow map leaves the frame minified, within the time budget."""

from __future__ import annotations

import time

import pytest

from rum_server.query.error_reports import mapped_note, top_frame
from rum_server.sourcemaps.store import SourceMapError, parse_map
from rum_server.transform.symbolicate import (
    Frame,
    ParsedMap,
    clean_source,
    parse_frames,
    symbolicate,
)
from tests.fixture_bundle import MAP, SCRIPT, SOURCE, STACK, SYMBOLICATED_FRAMES

WITH_INLINE = STACK + "\n    at https://shop.example/p:12:5"


def fixture_map(with_source: bool = True) -> ParsedMap:
    return parse_map(MAP, SOURCE if with_source else None)


def only(url: str, parsed: ParsedMap | None):  # type: ignore[no-untyped-def]
    return lambda script, _wait: parsed if script == url else None


def test_each_minified_frame_maps_to_its_original_function_file_and_line() -> None:
    result = symbolicate(WITH_INLINE, only(SCRIPT, fixture_map()), budget_seconds=1.0)
    # the `new RangeError(` of line 6, the `applyDiscount(` call, the `checkout(` call
    assert result.frames[:3] == (
        Frame("applyDiscount", "src/cart/discount.ts", 6, 11, mapped=True),
        Frame("checkout", "src/cart/checkout.ts", 6, 17, mapped=True),
        Frame("buyWithCode", "src/main.ts", 17, 10, mapped=True),
    )
    assert result.mapped == 3
    assert result.frames[3] == Frame("", "https://shop.example/p", 12, 5)  # inline: no map
    assert result.stack.splitlines()[0].startswith("RangeError: discount code")
    assert result.stack.splitlines()[1:4] == SYMBOLICATED_FRAMES
    assert result.top_in_app == result.frames[0]


def test_without_the_minified_file_positions_map_and_the_minified_name_stays() -> None:
    result = symbolicate(STACK, only(SCRIPT, fixture_map(with_source=False)), 1.0)
    assert result.frames[0] == Frame("i", "src/cart/discount.ts", 6, 11, mapped=True)


def test_gecko_and_webkit_frames_are_understood() -> None:
    frames = parse_frames(f"i@{SCRIPT}:1:561\n@{SCRIPT}:1:700\nnot a frame")
    assert frames == [Frame("i", SCRIPT, 1, 561), Frame("", SCRIPT, 1, 700)]


def test_a_missing_map_leaves_the_stack_as_it_was() -> None:
    result = symbolicate(STACK, lambda _script, _wait: None, 1.0)
    assert result.mapped == 0 and result.stack == STACK and result.top_in_app is None


def test_a_map_of_another_release_maps_nothing_useful() -> None:
    """A wrong map is not detectable in general; a position past its mappings stays minified."""
    other = parse_map(b'{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA"}')
    result = symbolicate(f"Error: x\n    at q ({SCRIPT}:40:1)", only(SCRIPT, other), 1.0)
    assert result.frames[0].file in (SCRIPT, "a.ts")  # never an exception


@pytest.mark.parametrize(
    "broken",
    [b"", b"{", b"[1,2]", b'{"version":3,"sources":[],"mappings":"!!!"}', b"\xff\xfe"],
)
def test_a_malformed_map_is_refused_with_the_reason(broken: bytes) -> None:
    with pytest.raises(SourceMapError, match="not a valid source map"):
        parse_map(broken)


def test_time_is_bounded_however_slow_the_maps_are() -> None:
    calls = []

    def slow(script: str, wait: float) -> ParsedMap | None:
        calls.append(wait)
        time.sleep(min(wait, 0.05))
        return None

    many = "Error: x\n" + "\n".join(f"    at f{i} ({SCRIPT}:1:{i})" for i in range(200))
    started = time.monotonic()
    result = symbolicate(many, slow, budget_seconds=0.1)
    assert time.monotonic() - started < 0.5  # generous for a noisy machine; the budget is 0.1
    assert len(result.frames) == 200 and result.mapped == 0
    assert all(wait <= 0.1 for wait in calls) and len(calls) < 10


def test_source_names_lose_bundler_prefixes() -> None:
    assert clean_source("../../src/cart/x.ts") == "src/cart/x.ts"
    assert clean_source("webpack://shop/./src/x.ts") == "src/x.ts"
    assert clean_source("./x.ts") == "x.ts"


def test_the_reports_say_which_frames_are_mapped() -> None:
    result = symbolicate(WITH_INLINE, only(SCRIPT, fixture_map()), budget_seconds=1.0)
    assert mapped_note(result) == "3/4 frames mapped (not #4)"
    assert top_frame(result) == "applyDiscount (src/cart/discount.ts:6:11)"
    unmapped = symbolicate(WITH_INLINE, lambda _script, _wait: None, 1.0)
    assert mapped_note(unmapped) == "0/4 frames mapped"
    assert mapped_note(symbolicate("no frames here", lambda _s, _w: None, 1.0)) == "no stack"
