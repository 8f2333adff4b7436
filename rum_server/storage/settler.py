"""Folds new vitals into the daily rollup in the background, so no reader pays for it.

Reports stay exact without it (changed days are read from the deduplicating stage);
settling keeps them fast. A daemon thread calls :func:`rollups.settle_if_due`.
"""

from __future__ import annotations

import logging
import threading

from rum_server.storage.exporter_tables import unnamed_recently
from rum_server.storage.rollups import SETTLE_INTERVAL_SECONDS, settle_if_due
from rum_server.storage.store import Store

log = logging.getLogger("rum_server.storage.settler")


class Settler:
    """Runs ``settle_if_due`` soon after start, then every ``interval`` seconds, until closed."""

    def __init__(self, store: Store, interval: float = SETTLE_INTERVAL_SECONDS) -> None:
        self._store = store
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rum-settler", daemon=True)

    def start(self) -> None:
        unnamed_recently(self._store)  # counted once at start, so health has it at once
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        delay = min(5.0, self._interval)
        while not self._stop.wait(delay):
            try:
                settle_if_due(self._store, self._interval)
            except Exception as exc:  # a failed settle is retried next time; reports stay exact
                log.warning("settling the rollups failed: %s", exc)
            unnamed_recently(self._store)  # for health, which must not ask the store itself
            delay = self._interval
