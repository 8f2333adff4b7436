"""Guards before decoding: content type, encoding, declared length, bounded reads."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator
from typing import Any

import pytest

from rum_server.ingest import body
from rum_server.ingest.errors import MalformedBatch, PayloadTooLarge, UnsupportedMediaType


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/json",
        "Application/JSON; charset=utf-8",
    ],
)
def test_beacon_and_json_content_types_pass(content_type: str) -> None:
    body.check_content_type(content_type)


@pytest.mark.parametrize("content_type", [None, "", "text/html", "application/xml", "text/plainx"])
def test_other_content_types_are_unsupported(content_type: str | None) -> None:
    with pytest.raises(UnsupportedMediaType):
        body.check_content_type(content_type)


@pytest.mark.parametrize(
    ("encoding", "gzipped"), [(None, False), ("identity", False), ("gzip", True), ("GZIP", True)]
)
def test_identity_and_gzip_encodings_pass(encoding: str | None, gzipped: bool) -> None:
    assert body.check_content_encoding(encoding) is gzipped


@pytest.mark.parametrize("encoding", ["br", "deflate", "zstd", "gzip, br"])
def test_other_encodings_are_unsupported(encoding: str) -> None:
    with pytest.raises(UnsupportedMediaType):
        body.check_content_encoding(encoding)


def test_a_declared_length_over_the_limit_fails_before_reading() -> None:
    body.check_declared_length(str(body.MAX_RAW_BYTES))
    body.check_declared_length("not a number")
    with pytest.raises(PayloadTooLarge):
        body.check_declared_length(str(body.MAX_RAW_BYTES + 1))


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def test_reading_stops_as_soon_as_the_limit_is_passed() -> None:
    half = b"x" * (body.MAX_RAW_BYTES // 2)
    assert asyncio.run(body.read_bounded(chunks(half, half))) == half + half
    with pytest.raises(PayloadTooLarge):
        asyncio.run(body.read_bounded(chunks(half, half, b"x")))


def test_gunzip_is_bounded_by_the_decoded_limit() -> None:
    exact = b"a" * body.MAX_DECODED_BYTES
    assert body.gunzip_bounded(gzip.compress(exact)) == exact
    with pytest.raises(PayloadTooLarge):
        body.gunzip_bounded(gzip.compress(exact + b"a"))
    with pytest.raises(MalformedBatch):
        body.gunzip_bounded(b"not gzip")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[:-8], "ends before the gzip trailer"),
        (lambda data: data[:-1], "ends before the gzip trailer"),
        (lambda data: data[:-8] + b"\0\0\0\0" + data[-4:], "incorrect data check"),
        (lambda data: data[:-4] + b"\1\0\0\0", "incorrect length check"),
        (lambda data: data + b"trailing", "bytes follow the gzip trailer"),
    ],
    ids=["no trailer", "half a trailer", "wrong crc", "wrong length", "trailing bytes"],
)
def test_the_gzip_trailer_is_verified(damage: Any, message: str) -> None:
    data = gzip.compress(b'{"v": 1}' * 50)
    assert body.gunzip_bounded(data) == b'{"v": 1}' * 50
    with pytest.raises(MalformedBatch, match=message):
        body.gunzip_bounded(damage(data))
