"""Several sinks: each has its own writer and spool, and a batch goes to all or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rum_server.settings import Settings
from rum_server.storage.sinks import WriterGroup, sink_spool
from rum_server.storage.wal import QueueFull, WriteAheadLog
from rum_server.storage.writer import Writer
from rum_server.transform.rows import Columns


class Collecting:
    name = "collecting"

    def __init__(self) -> None:
        self.batches: list[dict[str, list[Any]]] = []

    def write(self, columns: dict[str, list[Any]], dedup_token: str = "") -> None:
        self.batches.append(columns)


def rows(count: int) -> Columns:
    """``count`` rows of a batch (every column filled, as the pipeline fills them)."""
    columns = Columns()
    for name in columns.data:
        columns.data[name] = [{} if "Attributes" in name else 0] * count
    columns.data["Timestamp"] = list(range(count))
    columns.count = count
    return columns


def writer(sink: Collecting, directory: Path, max_rows: int) -> Writer:
    wal = WriteAheadLog(directory, 10**9, max_rows, 10**9, 1.0)
    return Writer(sink, wal, flush_seconds=60)


def test_each_sink_but_clickhouse_spools_in_its_own_directory(tmp_path: Path) -> None:
    settings = Settings(dsn=f"chdb://{tmp_path}/data")
    assert sink_spool(settings, "clickhouse") == settings.spool_path
    assert sink_spool(settings, "otlp") == settings.spool_path / "otlp"


def test_a_batch_goes_to_every_writer_or_to_none(tmp_path: Path) -> None:
    sinks = [Collecting(), Collecting()]
    writers = [
        writer(sink, tmp_path / name, max_rows=5) for sink, name in zip(sinks, "ab", strict=True)
    ]
    group = WriterGroup({"a": writers[0], "b": writers[1]})
    group.start()
    group.submit(rows(3))
    writers[1].submit(rows(1))  # b is now fuller than a
    with pytest.raises(QueueFull):
        group.submit(rows(2))
    assert [w.stats.queued_rows for w in writers] == [3, 4]
    assert group.stats.queued_rows == 4 and group.stats.rejected_batches == 1
    group.close()
    assert [sum(len(b["Timestamp"]) for b in sink.batches) for sink in sinks] == [3, 4]
    assert group.stats.written_rows == 3
