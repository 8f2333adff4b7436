"""The background writer: drains the write-ahead log into a sink, one segment per insert.

The HTTP answer never waits for the store, only for the append to the log
(:mod:`rum_server.storage.wal`). One thread seals the active segment every
``flush_seconds`` (the log seals it sooner at its row or byte bound), inserts
each sealed segment with the segment's deduplication token and deletes it once
the insert returned, so a replay never duplicates rows.

A failed insert is retried with backoff. While the store is unreachable (or the
table missing) it is retried for as long as it takes: nothing accepted is lost,
and the log's byte bound turns a long outage into 503s. When the store answers
but refuses the same segment ``max_attempts`` times, the segment itself is the
problem (a schema mismatch, bad values): it goes to the dead-letter directory,
with a log line and a metric, and the segments behind it flow again. A segment
that cannot even be read back is dead-lettered at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from rum_server.metrics import Metrics
from rum_server.storage.sink import Sink
from rum_server.storage.wal import (
    CorruptSegment,
    QueueFull,
    Segment,
    WriteAheadLog,
    decode_segment,
    encode_record,
)
from rum_server.transform.rows import Columns

log = logging.getLogger("rum_server.storage.writer")

MAX_BACKOFF_SECONDS = 5.0
PROBE_INTERVAL_SECONDS = 5.0
"""How often an idle writer checks that the store answers (health reads the result)."""
DEFAULT_MAX_ATTEMPTS = 3


@dataclass(slots=True)
class WriterStats:
    """Counters for health (read without any store call)."""

    queued_rows: int = 0
    queued_bytes: int = 0
    written_rows: int = 0
    written_batches: int = 0
    failed_writes: int = 0
    rejected_batches: int = 0
    dead_lettered: int = 0
    store_ok: bool = True
    last_error: str = ""


class Writer:
    """Appends accepted rows to the log in the request; one thread inserts them."""

    def __init__(
        self,
        sink: Sink,
        wal: WriteAheadLog,
        flush_seconds: float,
        metrics: Metrics | None = None,
        store_answers: Callable[[], bool] = lambda: True,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> None:
        self._sink = sink
        self.wal = wal
        self._flush_seconds = flush_seconds
        self._metrics = metrics or Metrics()
        self._store_answers = store_answers
        self._max_attempts = max_attempts
        self._wake = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="rum-writer", daemon=True)
        self.stats = WriterStats()

    def start(self) -> None:
        """Replay what an earlier run left in the log (even past the bound: it was accepted)."""
        for segment in self.wal.open():
            self._metrics.replayed_rows.inc(segment.rows)
            log.warning("replaying %d rows from %s", segment.rows, segment.path)
        self._sync_queue()
        self._thread.start()

    def submit(self, columns: Columns) -> None:
        """Append one batch's rows to the log; raises :class:`QueueFull` when it is full."""
        self.submit_frame(encode_record(columns), columns.count)

    def submit_frame(self, frame: bytes, rows: int) -> None:
        """Append an encoded batch (:func:`~rum_server.storage.wal.encode_record`) to the log."""
        try:
            due = self.wal.append(frame, rows)
        except QueueFull:
            self.stats.rejected_batches += 1
            raise
        self._metrics.spooled_rows.inc(rows)
        self._sync_queue()
        if due:
            self._wake.set()

    def dead_letter_count(self) -> int:
        return self.wal.dead_letter_count()

    def _sync_queue(self) -> None:
        self.stats.queued_rows = self.wal.backlog_rows
        self.stats.queued_bytes = self.wal.backlog_bytes

    def close(self, timeout: float = 30.0) -> None:
        """Stop accepting, insert what is logged (bounded); the rest waits in the log."""
        self.wal.close()
        self._closing = True
        self._wake.set()
        self._thread.join(timeout)
        left = self.wal.backlog_rows
        if left:
            log.error(
                "%d rows not yet in the store stay in %s for the next start",
                left,
                self.wal.directory,
            )

    def _run(self) -> None:
        last_probe = time.monotonic()
        while True:
            self._wake.wait(min(self._flush_seconds, self.wal.fsync_every, PROBE_INTERVAL_SECONDS))
            self._wake.clear()
            self.wal.sync_if_due()
            self.wal.seal_if_older(self._flush_seconds)
            wrote = False
            while (segment := self.wal.oldest_sealed()) is not None:
                if not self._write_until_done(segment):
                    return  # closing and the store is still down: the log keeps it
                wrote = True
            if self._closing:
                return
            if not wrote and time.monotonic() - last_probe >= PROBE_INTERVAL_SECONDS:
                self.stats.store_ok = self._store_answers()
                last_probe = time.monotonic()
            elif wrote:
                last_probe = time.monotonic()

    def _write_until_done(self, segment: Segment) -> bool:
        """Insert one segment, retrying; False when closing gives up on it."""
        try:
            columns = decode_segment(segment.path.read_bytes())
        except (OSError, CorruptSegment) as exc:
            self._dead_letter(segment, f"unreadable segment: {exc}")
            return True
        backoff, refused = 0.1, 0
        while True:
            started = time.perf_counter()
            try:
                self._sink.write(columns.data, segment.token)
            except Exception as exc:  # any failure is retried or dead-lettered, never dropped
                self._failed(exc)
                if self._store_answers():
                    refused += 1
                    if refused >= self._max_attempts:
                        self._dead_letter(
                            segment, f"refused {refused} times: {self.stats.last_error}"
                        )
                        return True
                else:
                    self.stats.store_ok = False
                if self._closing and backoff >= MAX_BACKOFF_SECONDS:
                    return False
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            self._metrics.insert_seconds.observe(time.perf_counter() - started)
            self.wal.acknowledge(segment)
            self._metrics.written_rows.inc(columns.count)
            self.stats.written_rows += columns.count
            self.stats.written_batches += 1
            self._sync_queue()
            self.stats.store_ok = True
            return True

    def _failed(self, exc: Exception) -> None:
        self.stats.failed_writes += 1
        self._metrics.failed_inserts.inc()
        self.stats.last_error = " ".join(str(exc).split())[:300]
        log.warning("write to %s failed (%s); retrying", self._sink.name, self.stats.last_error)

    def _dead_letter(self, segment: Segment, reason: str) -> None:
        target = self.wal.dead_letter(segment, reason)
        self.stats.dead_lettered += 1
        self._sync_queue()
        self._metrics.dead_lettered.inc()
        log.error("dead-lettered %s (%d rows): %s", target, segment.rows, reason)
