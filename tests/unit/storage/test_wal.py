"""The write-ahead log: framed records on disk, bounded in bytes, read back exactly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rum_server.settings import Settings
from rum_server.storage.wal import (
    CorruptSegment,
    QueueFull,
    WriteAheadLog,
    decode_segment,
    encode_record,
)
from rum_server.transform.pipeline import Pipeline, RequestContext
from rum_server.transform.rows import Columns
from tests.conftest import EXAMPLES


def example_batches() -> list[Columns]:
    pipeline = Pipeline(Settings())
    context = RequestContext(received_ns=time.time_ns(), user_agent="Mozilla/5.0")
    return [pipeline.process(path.read_bytes(), context).columns for path in EXAMPLES]


def open_log(directory: Path, **overrides: float) -> WriteAheadLog:
    values: dict[str, float] = {
        "max_bytes": 10_000_000,
        "max_rows": 1_000_000,
        "segment_max_bytes": 1_000_000,
        "fsync_seconds": 1.0,
    }
    values.update(overrides)
    wal = WriteAheadLog(directory, **values)  # type: ignore[arg-type]
    wal.open()
    return wal


def test_a_segment_reads_back_the_rows_of_every_batch_with_shared_attributes_merged(
    tmp_path: Path,
) -> None:
    batches = example_batches()
    raw = b"".join(encode_record(columns) for columns in batches)
    rows = decode_segment(raw)
    assert rows.count == sum(columns.count for columns in batches)
    expected: dict[str, list[object]] = {}
    for columns in batches:
        for name, values in columns.merged().items():
            expected.setdefault(name, []).extend(values)
    assert rows.data == expected


def test_a_record_stores_the_batch_context_once_not_per_row() -> None:
    columns = example_batches()[0]
    own_only = encode_record(columns)
    assert columns.shared["rum.page.url"]  # the page URL is shared by every row…
    assert own_only.count(columns.shared["rum.page.url"].encode()) == 1  # …and written once


def test_a_torn_tail_is_ignored_and_a_bad_checksum_makes_the_segment_corrupt() -> None:
    first, second = (encode_record(columns) for columns in example_batches()[:2])
    torn = decode_segment(first + second[: len(second) // 2])
    assert torn.count == decode_segment(first).count
    flipped = bytearray(first)
    flipped[-1] ^= 0xFF
    with pytest.raises(CorruptSegment, match="checksum"):
        decode_segment(bytes(flipped) + second)


def test_appends_past_the_byte_bound_are_refused(tmp_path: Path) -> None:
    frame = encode_record(example_batches()[0])
    wal = open_log(tmp_path, max_bytes=len(frame) * 2)
    wal.append(frame, 1)
    wal.append(frame, 1)
    with pytest.raises(QueueFull):
        wal.append(frame, 1)
    assert wal.backlog_bytes == len(frame) * 2


def test_sealed_segments_survive_a_restart_and_are_forgotten_once_acknowledged(
    tmp_path: Path,
) -> None:
    batches = example_batches()
    wal = open_log(tmp_path)
    for columns in batches:
        wal.append(encode_record(columns), columns.count)
    # no close(): the process "dies" with the segment still active
    again = WriteAheadLog(tmp_path, 10_000_000, 1_000_000, 1_000_000, 1.0)
    found = again.open()
    assert len(found) == 1 and found[0].rows == sum(c.count for c in batches)
    assert again.backlog_rows == found[0].rows
    segment = again.oldest_sealed()
    assert segment is not None and segment.token == "rum-wal-" + segment.path.stem
    again.acknowledge(segment)
    assert again.oldest_sealed() is None and again.backlog_bytes == 0
    assert list(tmp_path.glob("*.wal")) == []


def test_a_dead_lettered_segment_moves_aside_with_its_reason(tmp_path: Path) -> None:
    wal = open_log(tmp_path, segment_max_bytes=1)
    columns = example_batches()[0]
    assert wal.append(encode_record(columns), columns.count)  # full at once: sealed
    segment = wal.oldest_sealed()
    assert segment is not None
    target = wal.dead_letter(segment, "refused 3 times: bad value")
    assert target.parent == tmp_path / "dead-letter" and target.exists()
    assert "bad value" in target.with_suffix(".reason").read_text()
    assert wal.dead_letter_count() == 1 and wal.backlog_rows == 0


def test_a_full_segment_is_sealed_by_the_append_even_while_the_writer_is_busy(
    tmp_path: Path,
) -> None:
    frame = encode_record(example_batches()[0])
    wal = open_log(tmp_path / "bytes", segment_max_bytes=len(frame) * 2)
    assert [wal.append(frame, 1) for _ in range(5)] == [False, True, False, True, False]
    assert len(list((tmp_path / "bytes").glob("*.wal"))) == 3  # two sealed, one active
    by_rows = open_log(tmp_path / "rows", segment_max_rows=3)
    assert [by_rows.append(frame, 1) for _ in range(4)] == [False, False, True, False]
