"""Keeps labels and routes groupable: bounded value sets, with a budget per site.

Labels exist to be grouped by (``rum.event.label.<key>``); a page that puts an id or
a price in a label would explode every GROUP BY over it. Per (site, event, key) the
first ``max_values`` distinct values are kept; later new values become ``(other)``.
Each site has its own budget of label keys, so one site cannot use up another's
slots. Routes are bounded the same way per site per day (the dashboard groups by
route). The memory is per process and bounded: at most ``max_sites`` sites are
tracked (a site seen after that gets ``(other)``; list real sites in ``RUM_SITES``).
Free values belong in ``attrs``.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from rum_server.metrics import hooks

OTHER = "(other)"
DEFAULT_MAX_VALUES = 100
DEFAULT_MAX_KEYS = 1_000
"""Label keys (event, key) per site."""
DEFAULT_MAX_SITES = 1_000
DEFAULT_MAX_ROUTES = 2_000
"""Distinct routes per site per day."""


class LabelGuard:
    """Admits a label value if its key has seen it before or still has room for it."""

    def __init__(
        self,
        max_values: int = DEFAULT_MAX_VALUES,
        max_keys: int = DEFAULT_MAX_KEYS,
        max_sites: int = DEFAULT_MAX_SITES,
    ) -> None:
        self._max_values = max_values
        self._max_keys = max_keys
        self._max_sites = max_sites
        self._seen: dict[str, dict[tuple[str, str], set[str]]] = {}
        self._lock = threading.Lock()

    def admit(self, site: str, event: str, key: str, value: str) -> str:
        """``value`` when the key's value set has it or room for it, else ``(other)``."""
        with self._lock:
            keys = self._seen.get(site)
            if keys is None:
                if len(self._seen) >= self._max_sites:
                    return _dropped("label")
                keys = self._seen[site] = {}
            values = keys.get((event, key))
            if values is None:
                if len(keys) >= self._max_keys:
                    return _dropped("label")
                values = keys[(event, key)] = set()
            if value in values:
                return value
            if len(values) >= self._max_values:
                return _dropped("label")
            values.add(value)
            return value


class RouteGuard:
    """Admits a route if its site has seen it today or still has room for it today."""

    def __init__(self, max_routes: int = DEFAULT_MAX_ROUTES, max_sites: int = DEFAULT_MAX_SITES):
        self._max_routes = max_routes
        self._max_sites = max_sites
        self._day = -1
        self._seen: defaultdict[str, set[str]] = defaultdict(set)
        self._lock = threading.Lock()

    def admit(self, site: str, day: int, route: str) -> str:
        """``route``, or ``(other)`` once the site has ``max_routes`` other routes on ``day``."""
        with self._lock:
            if day != self._day:  # a new day starts with fresh budgets
                self._day, self._seen = day, defaultdict(set)
            if site not in self._seen and len(self._seen) >= self._max_sites:
                return _dropped("route")
            routes = self._seen[site]
            if route in routes:
                return route
            if len(routes) >= self._max_routes:
                return _dropped("route")
            routes.add(route)
            return route


def _dropped(kind: str) -> str:
    hooks.dropped(kind)
    return OTHER
