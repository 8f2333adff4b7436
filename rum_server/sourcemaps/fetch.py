"""Fetching a script's map from its ``sourceMappingURL``, for allow-listed origins only.

Off unless ``RUM_SOURCEMAP_FETCH_ORIGINS`` names origins (``https://shop.example``): the
server then makes no other outbound request than these. When an error's frame is in a
script of an allowed origin that has no map for its release, the script is fetched once
(per process, site, release and script) on a background thread, its last
``sourceMappingURL`` comment is followed (a ``data:`` URL is decoded; another URL must be
of an allowed origin too), and the map is stored like an upload, with the script beside
it. No redirects are followed, every body is capped at ``RUM_SOURCEMAP_MAX_BYTES``, and
every request times out, so a hostile or slow origin costs nothing but that map.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
import urllib.error
import urllib.request
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from urllib.parse import unquote_to_bytes, urljoin

from rum_server.sourcemaps.store import MapEntry, SourceMapError, SourceMapStore
from rum_server.transform.symbolicate import path_of

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
_ORIGIN = re.compile(r"^(https?)://([^/?#\s]+)", re.IGNORECASE)
_MAPPING_URL = re.compile(rb"[#@]\s*sourceMappingURL=(\S+)\s*(?:\*/)?\s*$")
_DATA_URL = re.compile(r"^data:[^,]*?(;base64)?,(.*)$", re.DOTALL)
_MAX_ATTEMPTS_REMEMBERED = 10_000


def origin_of(url: str) -> str:
    """``https://Shop.example:443/app.js`` → ``https://shop.example:443`` ('' if not http(s))."""
    match = _ORIGIN.match(url)
    return f"{match[1].lower()}://{match[2].lower()}" if match else ""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None  # the 3xx is then raised as an HTTPError


class MapFetcher:
    """Follows ``sourceMappingURL`` for scripts of the allowed origins, in the background."""

    def __init__(self, store: SourceMapStore, origins: tuple[str, ...]) -> None:
        self.store = store
        self.origins = frozenset(origin.rstrip("/").lower() for origin in origins)
        self._opener = urllib.request.build_opener(_NoRedirects)
        self._tried: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sourcemap-fetch")

    def allowed(self, url: str) -> bool:
        return origin_of(url) in self.origins

    def want(self, site: str, release: str, script_url: str) -> Future[MapEntry | None] | None:
        """Schedule one fetch of this script's map, unless tried already or not allowed."""
        if not self.allowed(script_url):
            return None
        key = (site, release, path_of(script_url))
        with self._lock:
            if key in self._tried:
                return None
            if len(self._tried) > _MAX_ATTEMPTS_REMEMBERED:
                self._tried.clear()
            self._tried.add(key)
        return self._worker.submit(self._fetch_logged, site, release, script_url)

    def _fetch_logged(self, site: str, release: str, script_url: str) -> MapEntry | None:
        try:
            entry = self.fetch(site, release, script_url)
        except SourceMapError as exc:
            log.warning("no source map fetched for %s: %s", script_url, exc)
            return None
        log.info("source map of %s fetched for %s %s", script_url, site, release)
        return entry

    def fetch(self, site: str, release: str, script_url: str) -> MapEntry:
        """Fetch and store the map now; raises :class:`SourceMapError` saying why not."""
        if not self.allowed(script_url):
            raise SourceMapError(f"{origin_of(script_url) or script_url} is not an allowed origin")
        script = self._get(script_url)
        found = _MAPPING_URL.search(script[-4096:].rstrip())
        if found is None:
            raise SourceMapError("the script has no sourceMappingURL comment")
        reference = found[1].decode("ascii", errors="replace")
        inline = _DATA_URL.match(reference)
        if inline:
            payload = inline[2]
            try:
                map_bytes = base64.b64decode(payload) if inline[1] else unquote_to_bytes(payload)
            except ValueError:
                raise SourceMapError("the inline source map is not valid base64") from None
        else:
            map_url = urljoin(script_url, reference)
            if not self.allowed(map_url):
                raise SourceMapError(f"its map {map_url} is not on an allowed origin")
            map_bytes = self._get(map_url)
        return self.store.put(site, release, script_url, map_bytes, script)

    def _get(self, url: str) -> bytes:
        request = urllib.request.Request(url, headers={"User-Agent": "deco-rum sourcemap fetch"})
        try:
            with self._opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
                body: bytes = answer.read(self.store.max_bytes + 1)
        except urllib.error.HTTPError as exc:
            raise SourceMapError(f"{url} answered {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise SourceMapError(f"{url} could not be fetched: {exc}") from None
        self.store.check_size(len(body), url)
        return body

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)
