"""Keeps custom-event labels groupable: each label key gets a bounded set of values.

Labels exist to be grouped by (``rum.event.label.<key>``); a page that puts an id or
a price in a label would explode every GROUP BY over it. Per (site, event, key) the
first ``max_values`` distinct values (the ``label_max_values`` setting) are kept;
later new values become ``(other)``.
The memory is per process and bounded; free values belong in ``attrs``.
"""

from __future__ import annotations

import threading

OTHER = "(other)"
DEFAULT_MAX_KEYS = 10_000


class LabelGuard:
    """Admits a label value if its key has seen it before or still has room for it."""

    def __init__(self, max_values: int, max_keys: int = DEFAULT_MAX_KEYS) -> None:
        self._max_values = max_values
        self._max_keys = max_keys
        self._seen: dict[tuple[str, str, str], set[str]] = {}
        self._lock = threading.Lock()

    def admit(self, site: str, event: str, key: str, value: str) -> str:
        """``value`` when the key's value set has it or room for it, else ``(other)``."""
        slot = (site, event, key)
        with self._lock:
            values = self._seen.get(slot)
            if values is None:
                if len(self._seen) >= self._max_keys:
                    return OTHER
                values = self._seen[slot] = set()
            if value in values:
                return value
            if len(values) >= self._max_values:
                return OTHER
            values.add(value)
            return value
