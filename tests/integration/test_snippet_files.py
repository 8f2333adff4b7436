"""The server serves each snippet build: right type, ETag and 304, cache lifetime, brotli/gzip."""

from __future__ import annotations

import gzip
from typing import Any

import brotli
import pytest
from litestar.testing import TestClient

from rum_server.web.snippet_files import STATIC_DIR, choose_encoding

BUILDS = ["rum.js", "rum.attribution.js", "rum.errors.js"]


@pytest.mark.parametrize("name", BUILDS)
def test_each_build_is_served_as_javascript_with_long_lived_caching(
    client: TestClient[Any], name: str
) -> None:
    response = client.get(f"/__deco/{name}", headers={"accept-encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "max-age=86400" in response.headers["cache-control"]
    assert response.headers["etag"].startswith('"')
    assert "content-encoding" not in response.headers
    assert response.content == (STATIC_DIR / name).read_bytes()


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [("br, gzip", "br"), ("gzip, deflate", "gzip"), ("gzip, br;q=0", "gzip"), ("*", "br")],
)
def test_precompressed_variants_follow_accept_encoding(
    client: TestClient[Any], accept: str, encoding: str
) -> None:
    # httpx would decode the body itself, so read the raw bytes off the stream.
    with client.stream("GET", "/__deco/rum.js", headers={"accept-encoding": accept}) as response:
        raw = b"".join(response.iter_raw())
        assert response.headers["content-encoding"] == encoding
        assert response.headers["vary"] == "Accept-Encoding"
    plain = (STATIC_DIR / "rum.js").read_bytes()
    decoded = brotli.decompress(raw) if encoding == "br" else gzip.decompress(raw)
    assert decoded == plain


def test_a_matching_etag_gets_304_without_a_body(client: TestClient[Any]) -> None:
    etag = client.get("/__deco/rum.errors.js").headers["etag"]
    response = client.get("/__deco/rum.errors.js", headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag


@pytest.mark.parametrize("name", BUILDS)
def test_head_answers_like_get_without_a_body(client: TestClient[Any], name: str) -> None:
    get = client.get(f"/__deco/{name}", headers={"accept-encoding": "identity"})
    head = client.head(f"/__deco/{name}", headers={"accept-encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    for header in ("etag", "cache-control", "content-type", "content-length"):
        assert head.headers[header] == get.headers[header]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("", "identity"),
        ("identity", "identity"),
        ("br;q=0, gzip;q=0", "identity"),
        ("deflate", "identity"),
        ("BR", "br"),
    ],
)
def test_encoding_choice(accept: str, expected: str) -> None:
    available = {"identity": b"", "br": b"", "gzip": b""}
    assert choose_encoding(accept, available) == expected
