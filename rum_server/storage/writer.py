"""The background writer: a bounded in-memory queue drained by one thread into a sink.

The HTTP answer never waits for the store. Rows are grouped into one
column-oriented insert per flush (on size or every ``flush_seconds``). When the
sink fails, the rows stay queued and are retried with backoff, so nothing
accepted is lost while the store is slow or down; the queue's bound turns that
into :class:`QueueFull` for new batches (the HTTP layer answers 503) instead of
unbounded memory. ``close()`` flushes what
is left; what still cannot be written goes to the durable spool, and the next
start loads it back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rum_server.storage.sink import Sink
from rum_server.storage.spool import Spool
from rum_server.transform.rows import Columns

log = logging.getLogger("rum_server.storage.writer")


class QueueFull(RuntimeError):
    """The write queue is at its bound (or closing); the batch was not taken."""


@dataclass(slots=True)
class Queued:
    """Rows waiting to be written, and the spool files they were replayed from (if any)."""

    columns: Columns
    spooled: list[Path] = field(default_factory=list)


@dataclass(slots=True)
class WriterStats:
    """Counters for health and operators."""

    queued_rows: int = 0
    written_rows: int = 0
    written_batches: int = 0
    failed_writes: int = 0
    rejected_batches: int = 0
    last_error: str = ""


class Writer:
    """Accepts rows from request handlers; one thread inserts them."""

    def __init__(
        self,
        sink: Sink,
        max_rows: int,
        flush_rows: int,
        flush_seconds: float,
        spool: Spool | None = None,
        max_backoff_seconds: float = 5.0,
    ) -> None:
        self._sink = sink
        self._spool = spool
        self._unwritten: list[Queued] = []
        self._max_rows = max_rows
        self._flush_rows = flush_rows
        self._flush_seconds = flush_seconds
        self._max_backoff = max_backoff_seconds
        self._pending: deque[Queued] = deque()
        self._condition = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="rum-writer", daemon=True)
        self.stats = WriterStats()

    def start(self) -> None:
        """Queue what an earlier run spooled (beyond the bound: it was accepted), then run."""
        for columns, path in self._spool.load() if self._spool else []:
            self._pending.append(Queued(columns, [path]))
            self.stats.queued_rows += columns.count
            log.warning("replaying %d spooled rows from %s", columns.count, path)
        self._thread.start()

    def submit(self, columns: Columns) -> None:
        """Queue rows for writing; raises :class:`QueueFull` when the queue is full."""
        with self._condition:
            if self._closing or self.stats.queued_rows + columns.count > self._max_rows:
                self.stats.rejected_batches += 1
                raise QueueFull("the write queue is full; retry later")
            self._pending.append(Queued(columns))
            self.stats.queued_rows += columns.count
            if self.stats.queued_rows >= self._flush_rows:
                self._condition.notify()

    def close(self, timeout: float = 30.0) -> None:
        """Stop accepting, flush what is queued, and wait for the thread (bounded)."""
        with self._condition:
            self._closing = True
            self._condition.notify()
        self._thread.join(timeout)
        with self._condition:
            left = self._unwritten + list(self._pending)
            self._pending.clear()
        if not left:
            return
        merged = merge(left)
        if self._spool is None:
            log.error("writer closed with %d rows not written", merged.columns.count)
            return
        self._spool.save(merged.columns)
        Spool.forget(merged.spooled)  # their rows are in the new file now

    def _take(self) -> Queued | None:
        """Wait for a flush trigger; return everything queued, merged, or None to stop."""
        with self._condition:
            deadline = time.monotonic() + self._flush_seconds
            while not self._closing and self.stats.queued_rows < self._flush_rows:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._condition.wait(remaining)
            if not self._pending:
                return None if self._closing else Queued(Columns())
            merged = merge(self._pending)
            self._pending.clear()
            return merged

    def _run(self) -> None:
        while True:
            batch = self._take()
            if batch is None:
                return
            if batch.columns.count:
                self._write_until_done(batch)

    def _write_until_done(self, batch: Queued) -> None:
        """Retry a failed write with backoff; on close, give up after the last attempt."""
        backoff = 0.1
        while True:
            try:
                self._sink.write(batch.columns.data)
            except Exception as exc:  # any sink failure is retried, never lost silently
                self.stats.failed_writes += 1
                self.stats.last_error = " ".join(str(exc).split())[:300]
                log.warning("write to %s failed (%s); retrying", self._sink.name, exc)
                if self._closing and backoff >= self._max_backoff:
                    with self._condition:
                        self._unwritten.append(batch)
                    return
                time.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)
                continue
            Spool.forget(batch.spooled)
            with self._condition:
                self.stats.queued_rows -= batch.columns.count
                self.stats.written_rows += batch.columns.count
                self.stats.written_batches += 1
            return


def merge(parts: Iterable[Queued]) -> Queued:
    """All parts' rows as one insert (the first part is extended in place)."""
    iterator = iter(parts)
    merged = next(iterator)
    for part in iterator:
        merged.columns.extend(part.columns)
        merged.spooled.extend(part.spooled)
    return merged
