"""Ingest's symbolicator: uploaded maps first, fetched ones for allow-listed origins.

Its own module because it joins the map store and the fetcher, which imports the store.
"""

from __future__ import annotations

import logging

from rum_server.settings import Settings
from rum_server.sourcemaps.fetch import MapFetcher
from rum_server.sourcemaps.store import cache_for
from rum_server.transform.symbolicate import ParsedMap, StackSymbolicator, Symbolicated, symbolicate

log = logging.getLogger(__name__)


def stack_symbolicator(settings: Settings, budget_seconds: float) -> StackSymbolicator:
    """(stack, site, release) → the stack through that release's maps (None: no release)."""
    cache = cache_for(settings.sourcemap_path, settings.sourcemap_max_bytes)
    if settings.sourcemap_fetch_origins and cache.on_missing is None:
        cache.on_missing = MapFetcher(cache.store, settings.sourcemap_fetch_origins).want

    def run(stack: str, site: str, release: str) -> Symbolicated | None:
        if not stack or not release:
            return None
        state = cache.store.release_state(site, release)
        if not state and cache.on_missing is None:
            return None  # no map for this release and none to fetch: one stat, nothing else

        def lookup(url: str, wait: float) -> ParsedMap | None:
            return cache.get(site, release, url, wait, state)

        try:
            return symbolicate(stack, lookup, budget_seconds)
        except Exception:  # a map or a stack we did not foresee must never cost the batch
            log.exception("symbolicating a stack of %s %s failed; stored as sent", site, release)
            return None

    return run
