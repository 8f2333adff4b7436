"""Which sinks receive the rows (``--sink clickhouse,otlp``), each behind its own writer.

Every sink gets its own write-ahead log, retry loop and directory: when the OTLP
endpoint is down, ClickHouse still gets its rows (and no row is written twice
because the other destination failed), and each destination's unsent rows are
replayed into that destination only. :class:`WriterGroup` offers the writer's
interface to the ingest handler and health, so they need not know how many there are.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from rum_server.metrics import Metrics
from rum_server.settings import Settings
from rum_server.storage.otlp import OtlpSink, parse_headers
from rum_server.storage.sink import ClickHouseSink, Sink
from rum_server.storage.store import Store
from rum_server.storage.wal import QueueFull, encode_record, open_wal
from rum_server.storage.writer import Writer, WriterStats
from rum_server.transform.rows import Columns

SINK_NAMES = ("clickhouse", "otlp", "spans")


def sink_spool(settings: Settings, name: str) -> Path:
    """ClickHouse keeps the spool directory it always had; others use a subdirectory."""
    return settings.spool_path if name == "clickhouse" else settings.spool_path / name


def make_sink(name: str, settings: Settings, store: Store) -> Sink:
    if name == "otlp":
        return OtlpSink(settings.otlp_endpoint, parse_headers(settings.otlp_headers))
    if name == "spans":
        from rum_server.storage.spans import SpanSink

        return SpanSink(store)
    return ClickHouseSink(store)


def destination_answers(sink: Sink) -> Callable[[], bool]:
    """How the writer tells "the destination is down" from "this segment is bad".

    ClickHouse (rows or spans): the table answers. OTLP: never assumed, because the OTLP sink
    already drops a batch the endpoint refuses for good (a 4xx) and raises only
    for retryable failures.
    """
    answers = getattr(sink, "table_answers", None)  # the ClickHouse and span sinks
    return answers if callable(answers) else lambda: False


def open_writer(
    settings: Settings, store: Store, metrics: Metrics | None = None
) -> Writer | WriterGroup:
    """One writer (with its own write-ahead log) per configured sink; a single one as is."""
    writers = []
    for name in settings.sinks:
        sink = make_sink(name, settings, store)
        writers.append(
            Writer(
                sink,
                open_wal(settings, sink_spool(settings, name)),
                flush_seconds=settings.flush_seconds,
                metrics=metrics,
                store_answers=destination_answers(sink),
            )
        )
    if len(writers) == 1:
        return writers[0]
    return WriterGroup(dict(zip(settings.sinks, writers, strict=True)))


class WriterGroup:
    """Several writers fed the same rows: all accept a batch or none does."""

    def __init__(self, writers: dict[str, Writer]) -> None:
        self.writers = list(writers.values())
        self._names = list(writers)
        self._lock = threading.Lock()  # only writer threads run meanwhile, and they free room

    def start(self) -> None:
        for writer in self.writers:
            writer.start()

    def submit(self, columns: Columns) -> None:
        """Log the rows for every writer; :class:`QueueFull` when any log is full."""
        frame = encode_record(columns)
        with self._lock:
            full = [w for w in self.writers if not w.wal.has_room(len(frame), columns.count)]
            if full:
                for writer in full:
                    writer.stats.rejected_batches += 1
                raise QueueFull("the write queue is full; retry later")
            for writer in self.writers:
                writer.submit_frame(frame, columns.count)

    def close(self, timeout: float = 30.0) -> None:
        for writer in self.writers:
            writer.close(timeout)

    def dead_letter_count(self) -> int:
        return sum(writer.dead_letter_count() for writer in self.writers)

    @property
    def stats(self) -> WriterStats:
        """One view for health: the fullest queue, rows every sink has written, all failures."""
        each = [writer.stats for writer in self.writers]
        errors = [
            f"{name}: {stats.last_error}"
            for name, stats in zip(self._names, each, strict=True)
            if stats.last_error
        ]
        return WriterStats(
            queued_rows=max(stats.queued_rows for stats in each),
            queued_bytes=max(stats.queued_bytes for stats in each),
            written_rows=min(stats.written_rows for stats in each),
            written_batches=min(stats.written_batches for stats in each),
            failed_writes=sum(stats.failed_writes for stats in each),
            rejected_batches=max(stats.rejected_batches for stats in each),
            dead_lettered=sum(stats.dead_lettered for stats in each),
            store_ok=all(stats.store_ok for stats in each),
            last_error="; ".join(errors),
        )
