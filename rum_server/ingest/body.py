"""Guards that run before any decoding: content type, size while reading, gzip bound.

Checks are ordered cheapest first: headers, then the declared length, then the
bytes as they arrive, so an oversized or wrong body costs almost nothing.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

from rum_server.ingest.errors import MalformedBatch, PayloadTooLarge, UnsupportedMediaType

MAX_RAW_BYTES = 64 * 1024
MAX_DECODED_BYTES = 256 * 1024
ACCEPTED_MEDIA_TYPES = frozenset({"text/plain", "application/json"})


def check_content_type(content_type: str | None) -> None:
    """``text/plain`` (sendBeacon with a string) or ``application/json``, any charset."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in ACCEPTED_MEDIA_TYPES:
        raise UnsupportedMediaType(
            f"content type {media_type or '(none)'!r} is not accepted; "
            "send text/plain or application/json"
        )


def check_content_encoding(content_encoding: str | None) -> bool:
    """True for gzip, False for identity; anything else is a 415."""
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("identity", ""):
        return False
    if encoding in ("gzip", "x-gzip"):
        return True
    raise UnsupportedMediaType(f"content encoding {encoding!r} is not accepted; use gzip")


def check_declared_length(content_length: str | None) -> None:
    if content_length is None:
        return
    try:
        declared = int(content_length)
    except ValueError:
        return
    if declared > MAX_RAW_BYTES:
        raise PayloadTooLarge(f"body of {declared} bytes is over the {MAX_RAW_BYTES} byte limit")


async def read_bounded(chunks: AsyncIterator[bytes]) -> bytes:
    """Read the body, failing as soon as it passes the raw limit."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > MAX_RAW_BYTES:
            raise PayloadTooLarge(f"body is over the {MAX_RAW_BYTES} byte limit")
        parts.append(chunk)
    return b"".join(parts)


def gunzip_bounded(data: bytes) -> bytes:
    """Decompress gzip without ever holding more than the decoded limit."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_DECODED_BYTES + 1)
    except zlib.error as exc:
        raise MalformedBatch(f"body is not valid gzip: {exc}") from None
    if len(out) > MAX_DECODED_BYTES or inflater.unconsumed_tail:
        raise PayloadTooLarge(f"decompressed body is over the {MAX_DECODED_BYTES} byte limit")
    # zlib checks the trailer's CRC-32 and length only once it reaches them: a body cut
    # short before its trailer would otherwise pass as a shorter, unchecked body.
    if not inflater.eof:
        raise MalformedBatch("body is not valid gzip: it ends before the gzip trailer")
    if inflater.unused_data:
        raise MalformedBatch("body is not valid gzip: bytes follow the gzip trailer")
    return out
