"""One fingerprint per bug: stable across releases and pages, apart for different bugs,
always 16 hex digits made by the server."""

from __future__ import annotations

import re

import pytest

from rum_server.transform.fingerprint import (
    fingerprint,
    identify_error,
    normalise_message,
    script_of,
)
from rum_server.transform.symbolicate import Frame, Symbolicated

HEX16 = re.compile(r"[0-9a-f]{16}")


@pytest.mark.parametrize(
    ("message", "normalised"),
    [
        ('discount code "SAVE50" is not valid for 129', "discount code ? is not valid for 0"),
        ("item 42 of order 7f3c9a1e-22b4-4c1d", "item 0 of order 0"),
        ("can't read 'price' of `undefined`", "can't read ? of ?"),
        ("timeout after 3.5 s", "timeout after 0 s"),
        ("  spaced\t\nout  ", "spaced out"),
    ],
)
def test_messages_lose_their_variable_parts(message: str, normalised: str) -> None:
    assert normalise_message(message) == normalised


def test_an_inline_script_is_the_same_script_on_every_page() -> None:
    assert script_of("https://shop.example/p/1?x=1", "https://shop.example/p/1?x=2") == "(inline)"
    assert script_of("https://shop.example/cart", "https://shop.example/cart#top") == "(inline)"
    a = fingerprint("Error", "boom", "https://shop.example/p/1", "https://shop.example/p/1")
    b = fingerprint("Error", "boom", "https://shop.example/cart", "https://shop.example/cart")
    assert a == b


def test_build_hashes_and_versions_do_not_split_a_bug() -> None:
    page = "https://shop.example/"
    a = fingerprint("TypeError", "x is 1", "https://cdn.example/_frsh/js/4f3a9b/main.4f3a.js", page)
    b = fingerprint(
        "TypeError", "x is 2", "https://shop.example/_frsh/js/77aa01/main.9b1c.js", page
    )
    assert a == b


def test_different_bugs_stay_apart() -> None:
    page = "https://shop.example/"
    base = fingerprint("TypeError", "x is undefined", "/app.js", page)
    assert base != fingerprint("RangeError", "x is undefined", "/app.js", page)
    assert base != fingerprint("TypeError", "y is undefined", "/app.js", page)
    assert base != fingerprint("TypeError", "x is undefined", "/vendor.js", page)


def test_a_symbolicated_frame_names_the_bug_whatever_the_release_or_message() -> None:
    frame = Frame("applyDiscount", "src/cart/discount.ts", 6, 11, mapped=True)
    moved = Frame("applyDiscount", "src/cart/discount.ts", 9, 11, mapped=True)  # next release
    a = fingerprint("RangeError", 'code "A" bad', "/js/app.1.js", "/p/1", frame)
    b = fingerprint("RangeError", "code bad for 3 items", "/js/app.2.js", "/cart", moved)
    assert a == b and HEX16.fullmatch(a)
    other = Frame("checkout", "src/cart/checkout.ts", 6, 17, mapped=True)
    assert a != fingerprint("RangeError", 'code "A" bad', "/js/app.1.js", "/p/1", other)


def test_the_stored_fingerprint_is_the_servers_and_hex() -> None:
    attributes = {
        "rum.error.type": "Error",
        "rum.error.message": "boom",
        "rum.error.stack": "Error: boom\n    at f (https://shop.example/app.js:1:2)",
        "rum.error.file": "",
        "rum.page.url": "https://shop.example/",
        "rum.error.fingerprint": "<script>client</script>",
    }
    identify_error(attributes)
    assert HEX16.fullmatch(attributes["rum.error.fingerprint"])
    assert "rum.error.stack.minified" not in attributes


def test_a_symbolicated_stack_keeps_the_minified_one_beside_it() -> None:
    minified = "Error: boom\n    at f (https://shop.example/app.js:1:2)"
    frame = Frame("render", "src/app.ts", 3, 4, mapped=True)
    attributes = {"rum.error.stack": minified, "rum.page.url": "https://shop.example/"}
    identify_error(attributes, Symbolicated("Error: boom\n" + frame.text(), (frame,), 1))
    assert attributes["rum.error.stack.minified"] == minified
    assert attributes["rum.error.stack"] == "Error: boom\n    at render (src/app.ts:3:4)"
    assert attributes["rum.error.fingerprint"] == fingerprint("", "", "", "", frame)
