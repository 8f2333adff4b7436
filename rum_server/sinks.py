"""Which sinks receive the rows (``--sink clickhouse,otlp``), each behind its own writer.

Every sink gets its own queue, retry loop and spool directory: when the OTLP
endpoint is down, ClickHouse still gets its rows (and no row is written twice
because the other destination failed), and each destination's unsent rows are
replayed into that destination only. :class:`WriterGroup` offers the writer's
interface to the ingest handler and health, so they need not know how many there are.
"""

from __future__ import annotations

import threading
from pathlib import Path

from rum_server.errors import Overloaded
from rum_server.otlp import OtlpSink, parse_headers
from rum_server.rows import Columns
from rum_server.settings import Settings
from rum_server.sink import ClickHouseSink, Sink
from rum_server.spool import Spool
from rum_server.store import Store
from rum_server.writer import Writer, WriterStats

SINK_NAMES = ("clickhouse", "otlp", "spans")


def sink_spool(settings: Settings, name: str) -> Path:
    """ClickHouse keeps the spool directory it always had; others use a subdirectory."""
    return settings.spool_path if name == "clickhouse" else settings.spool_path / name


def make_sink(name: str, settings: Settings, store: Store) -> Sink:
    if name == "otlp":
        return OtlpSink(settings.otlp_endpoint, parse_headers(settings.otlp_headers))
    if name == "spans":
        from rum_server.spans import SpanSink

        return SpanSink(store)
    return ClickHouseSink(store)


def open_writer(settings: Settings, store: Store) -> Writer | WriterGroup:
    """One writer per configured sink; a single one is returned as is."""
    writers = [
        Writer(
            make_sink(name, settings, store),
            max_rows=settings.queue_max_rows,
            flush_rows=settings.flush_rows,
            flush_seconds=settings.flush_seconds,
            spool=Spool(sink_spool(settings, name)),
        )
        for name in settings.sinks
    ]
    if len(writers) == 1:
        return writers[0]
    return WriterGroup(dict(zip(settings.sinks, writers, strict=True)), settings.queue_max_rows)


def copy_columns(columns: Columns) -> Columns:
    """Writers merge batches in place, so each needs its own lists (the values are shared)."""
    copy = Columns()
    for name, values in columns.data.items():
        copy.data[name] = list(values)
    copy.count = columns.count
    return copy


class WriterGroup:
    """Several writers fed the same rows: all accept a batch or none does."""

    def __init__(self, writers: dict[str, Writer], max_rows: int) -> None:
        self.writers = list(writers.values())
        self._names = list(writers)
        self._max_rows = max_rows
        self._lock = threading.Lock()  # only writer threads run meanwhile, and they free room

    def start(self) -> None:
        for writer in self.writers:
            writer.start()

    def submit(self, columns: Columns) -> None:
        """Queue the rows in every writer; :class:`Overloaded` when any queue is full."""
        with self._lock:
            full = [w for w in self.writers if w.stats.queued_rows + columns.count > self._max_rows]
            if full:
                for writer in full:
                    writer.stats.rejected_batches += 1
                raise Overloaded("the write queue is full; retry later")
            for index, writer in enumerate(self.writers):
                writer.submit(columns if index == 0 else copy_columns(columns))

    def close(self, timeout: float = 30.0) -> None:
        for writer in self.writers:
            writer.close(timeout)

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
            written_rows=min(stats.written_rows for stats in each),
            written_batches=min(stats.written_batches for stats in each),
            failed_writes=sum(stats.failed_writes for stats in each),
            rejected_batches=max(stats.rejected_batches for stats in each),
            last_error="; ".join(errors),
        )
