"""Source maps through the query API (``/__deco/rum/api/sourcemaps``), guarded like the rest.

``PUT ?site=S&release=R&path=/static/app.js`` with the map as the body stores it (a
second ``PUT`` with ``&kind=source`` and the minified file as the body adds it, for
function names); ``GET ?site=S[&release=R]`` lists; ``DELETE ?site=S&release=R[&path=P]``
deletes. Bad input is a 400 with the reason, an oversized body a 413.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio.to_thread
from litestar import Request, delete, get, put
from litestar.exceptions import ClientException, HTTPException, NotFoundException
from litestar.params import FromQuery
from litestar.types import ControllerRouterHandler

from rum_server.query.api import API_PATH, require_api_access
from rum_server.settings import Settings
from rum_server.sourcemaps.store import MapEntry, SourceMapError, SourceMapStore, cache_for

PATH = f"{API_PATH}/sourcemaps"
MAX_REQUEST_BYTES = 512 * 1024 * 1024
"""Litestar's own ceiling; the configured cap (``RUM_SOURCEMAP_MAX_BYTES``) is checked first."""


class PayloadTooLarge(HTTPException):
    status_code = 413


def map_store(request: Request[Any, Any, Any]) -> SourceMapStore:
    settings: Settings = request.app.state.settings
    return cache_for(settings.sourcemap_path, settings.sourcemap_max_bytes).store


async def body_within_cap(request: Request[Any, Any, Any], store: SourceMapStore) -> bytes:
    """The body, refused with 413 as soon as it passes the cap (never read whole first)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > store.max_bytes:
        raise PayloadTooLarge(f"the body is over the {store.max_bytes:,}-byte source map cap")
    chunks = bytearray()
    async for chunk in request.stream():
        chunks += chunk
        if len(chunks) > store.max_bytes:
            raise PayloadTooLarge(f"the body is over the {store.max_bytes:,}-byte source map cap")
    return bytes(chunks)


@put(
    PATH,
    guards=[require_api_access],
    request_max_body_size=MAX_REQUEST_BYTES,
    status_code=201,
)
async def upload_handler(
    request: Request[Any, Any, Any],
    site: FromQuery[str],
    release: FromQuery[str],
    path: FromQuery[str],
    kind: FromQuery[str] = "map",
) -> MapEntry:
    """Store the map (``kind=map``) or the minified file (``kind=source``) of one script."""
    store = map_store(request)
    body = await body_within_cap(request, store)
    if kind not in ("map", "source"):
        raise ClientException(f"kind must be map or source, got {kind!r}")
    store_it = store.put if kind == "map" else partial(add_source, store)
    try:  # parsing a large map takes a while: not on the event loop
        return await anyio.to_thread.run_sync(store_it, site, release, path, body)
    except SourceMapError as exc:
        raise ClientException(str(exc)) from None


def add_source(
    store: SourceMapStore, site: str, release: str, path: str, source: bytes
) -> MapEntry:
    """The minified file, beside a map already uploaded (re-stored together, checked)."""
    map_bytes = store.map_bytes(site, release, path)
    if map_bytes is None:
        raise SourceMapError(f"upload the map of {path} first (kind=map)")
    return store.put(site, release, path, map_bytes, source)


@get(PATH, guards=[require_api_access], sync_to_thread=True)
def list_handler(
    request: Request[Any, Any, Any], site: FromQuery[str] = "", release: FromQuery[str] = ""
) -> list[MapEntry]:
    """Stored maps of one site (and release), or of all."""
    try:
        return map_store(request).list(site, release)
    except SourceMapError as exc:
        raise ClientException(str(exc)) from None


@delete(PATH, guards=[require_api_access], sync_to_thread=True, status_code=200)
def delete_handler(
    request: Request[Any, Any, Any],
    site: FromQuery[str],
    release: FromQuery[str],
    path: FromQuery[str] = "",
) -> dict[str, int]:
    """Delete one script's map, or every map of a release."""
    try:
        count = map_store(request).delete(site, release, path)
    except SourceMapError as exc:
        raise ClientException(str(exc)) from None
    if not count:
        raise NotFoundException(f"no source map stored for site {site!r}, release {release!r}")
    return {"deleted": count}


def sourcemap_routes() -> list[ControllerRouterHandler]:
    return [upload_handler, list_handler, delete_handler]
