"""Several sinks: each has its own writer and spool, and a batch goes to all or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rum_server.settings import Settings
from rum_server.storage.sinks import WriterGroup, copy_columns, sink_spool
from rum_server.storage.writer import QueueFull, Writer
from rum_server.transform.rows import Columns


class Collecting:
    name = "collecting"

    def __init__(self) -> None:
        self.batches: list[dict[str, list[Any]]] = []

    def write(self, columns: dict[str, list[Any]]) -> None:
        self.batches.append(columns)


def rows(count: int) -> Columns:
    columns = Columns()
    columns.data["Timestamp"] = list(range(count))
    columns.count = count
    return columns


def test_each_sink_but_clickhouse_spools_in_its_own_directory(tmp_path: Path) -> None:
    settings = Settings(dsn=f"chdb://{tmp_path}/data")
    assert sink_spool(settings, "clickhouse") == settings.spool_path
    assert sink_spool(settings, "otlp") == settings.spool_path / "otlp"


def test_a_copy_does_not_share_lists_with_the_original() -> None:
    original = rows(2)
    copy = copy_columns(original)
    copy.extend(rows(1))
    assert original.data["Timestamp"] == [0, 1] and original.count == 2


def test_a_batch_goes_to_every_writer_or_to_none() -> None:
    sinks = [Collecting(), Collecting()]
    writers = [Writer(sink, max_rows=5, flush_rows=100, flush_seconds=60) for sink in sinks]
    group = WriterGroup({"a": writers[0], "b": writers[1]}, max_rows=5)
    group.submit(rows(3))
    writers[1].submit(rows(1))  # b is now fuller than a
    with pytest.raises(QueueFull):
        group.submit(rows(2))
    assert [w.stats.queued_rows for w in writers] == [3, 4]
    assert group.stats.queued_rows == 4 and group.stats.rejected_batches == 1
    group.start()
    group.close()
    assert [sum(len(b["Timestamp"]) for b in sink.batches) for sink in sinks] == [3, 4]
    assert group.stats.written_rows == 3
