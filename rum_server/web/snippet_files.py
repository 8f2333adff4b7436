"""Serves the snippet builds: loaded once at start, precompressed variants, ETag, 304.

The builds are committed under ``rum_server/static/`` with ``.br`` and ``.gz``
siblings made at build time, so serving costs a dict lookup.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from litestar import Request, Response, route
from litestar.datastructures import State

STATIC_DIR = Path(__file__).parent.parent / "static"
SNIPPET_NAMES = ("rum.js", "rum.attribution.js", "rum.errors.js", "rum.dev.js")
CACHE_CONTROL = "public, max-age=86400, stale-while-revalidate=604800"
"""A day fresh, a week stale-while-revalidate: long-lived, yet a new build reaches pages soon."""


@dataclass(frozen=True, slots=True)
class SnippetFile:
    """One build and its precompressed variants, keyed by content encoding."""

    etag: str
    variants: dict[str, bytes]


def load_snippets(directory: Path = STATIC_DIR) -> dict[str, SnippetFile]:
    """Every build present in ``directory``; a missing build is simply not served."""
    files: dict[str, SnippetFile] = {}
    for name in SNIPPET_NAMES:
        path = directory / name
        if not path.is_file():
            continue
        plain = path.read_bytes()
        variants = {"identity": plain}
        for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
            compressed = directory / (name + suffix)
            if compressed.is_file():
                variants[encoding] = compressed.read_bytes()
        etag = '"' + hashlib.sha256(plain).hexdigest()[:20] + '"'
        files[name] = SnippetFile(etag, variants)
    return files


def choose_encoding(accept_encoding: str, available: dict[str, bytes]) -> str:
    """Brotli, then gzip, when the client accepts them (q=0 excluded)."""
    accepted = set()
    for part in accept_encoding.lower().split(","):
        token, _, params = part.strip().partition(";")
        if params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            accepted.add(token.strip())
    for encoding in ("br", "gzip"):
        if encoding in available and (encoding in accepted or "*" in accepted):
            return encoding
    return "identity"


@route(
    ["/__deco/rum.js", "/__deco/rum.attribution.js", "/__deco/rum.errors.js", "/__deco/rum.dev.js"],
    http_method=["GET", "HEAD"],  # HEAD: what a CDN or uptime check asks first
    summary="The browser snippet builds",
    tags=["snippet"],
)
async def serve_snippet(request: Request[object, object, State]) -> Response[bytes]:
    name = request.url.path.rsplit("/", 1)[-1]
    snippets: dict[str, SnippetFile] = request.app.state.snippets
    file = snippets.get(name)
    if file is None:
        return Response(
            b"/* snippet not built: run npm run build in client/ */",
            status_code=404,
            media_type="text/javascript",
        )
    headers = {"ETag": file.etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding"}
    if file.etag in request.headers.get("if-none-match", ""):
        return Response(b"", status_code=304, headers=headers)
    encoding = choose_encoding(request.headers.get("accept-encoding", ""), file.variants)
    if encoding != "identity":
        headers["Content-Encoding"] = encoding
    return Response(
        file.variants[encoding],
        media_type="text/javascript; charset=utf-8",
        headers=headers,
    )
