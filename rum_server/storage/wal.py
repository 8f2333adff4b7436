"""The write-ahead log: accepted rows are on disk before the answer, until the store has them.

A request handler appends one record (one batch's rows, encoded once) to the
active segment with a single ``write`` before it answers, so a crash of the
process loses nothing it acknowledged; ``fsync`` runs every
``fsync_seconds`` (0: on every append), which bounds what a power loss can take.
The writer seals the active segment on size or time, inserts each sealed
segment as ONE insert whose ``insert_deduplication_token`` is the segment's
name, and deletes the file only then. A replay after a crash therefore sends
the same rows under the same token, and ClickHouse drops the copy.

This log is also the queue and the spool: the writer reads sealed segments back
from disk (the page cache), so memory does not grow with a backlog; the backlog
is bounded in bytes (and rows) and past it new batches get 503. A segment the
store can never accept is moved to ``dead-letter/`` with a ``.reason`` file.

Frame: 4-byte big-endian length, 4-byte CRC-32 of the payload, the payload (a
msgpack :class:`Record`). An incomplete frame at a segment's end is a torn tail
(never acknowledged) and is ignored; a complete frame with a bad checksum makes
the segment corrupt.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import struct
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from rum_server.settings import Settings
from rum_server.transform.rows import ROW_COLUMNS, Columns

log = logging.getLogger("rum_server.storage.wal")

SUFFIX = ".wal"
DEAD_LETTER_DIR = "dead-letter"
_HEADER = struct.Struct(">II")
PER_EVENT_COLUMNS = (
    "Timestamp",
    "SeverityText",
    "SeverityNumber",
    "Body",
    "LogAttributes",
    "EventName",
)
"""Columns that differ per event; every other column is one value for the whole batch."""
BATCH_COLUMNS = tuple(name for name in ROW_COLUMNS if name not in PER_EVENT_COLUMNS)


class QueueFull(Exception):
    """The log is at its byte or row bound (or closing): the client should retry later."""

    def __init__(self, message: str, retry_after_seconds: int = 5) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after_seconds = retry_after_seconds


class Record(msgspec.Struct, array_like=True):
    """One batch: its constant columns and shared attributes once, then each event's own."""

    constants: dict[str, Any]
    shared: dict[str, str]
    events: dict[str, list[Any]]


class CorruptSegment(ValueError):
    """A segment whose bytes cannot be read back as records (never retried)."""


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Record)


def encode_record(columns: Columns) -> bytes:
    """One batch's rows as a framed record, with what the batch shares stored once."""
    data = columns.data
    shared: dict[str, str] = dict(columns.shared)  # redacted already: stored as plain text
    record = Record(
        constants={name: data[name][0] for name in BATCH_COLUMNS},
        shared=shared,
        events={name: data[name] for name in PER_EVENT_COLUMNS},
    )
    return frame(record)


def frame(record: Record) -> bytes:
    payload = _encoder.encode(record)
    return _HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def decode_segment(raw: bytes) -> Columns:
    """All rows of a segment's bytes, LogAttributes merged; raises :class:`CorruptSegment`."""
    merged = Columns()
    offset = 0
    while offset + _HEADER.size <= len(raw):
        length, checksum = _HEADER.unpack_from(raw, offset)
        start, end = offset + _HEADER.size, offset + _HEADER.size + length
        if end > len(raw):
            break  # a torn tail: this append never completed, so it was never acknowledged
        payload = raw[start:end]
        if zlib.crc32(payload) != checksum:
            raise CorruptSegment(f"checksum mismatch at byte {offset}")
        try:
            record = _decoder.decode(payload)
        except msgspec.DecodeError as exc:
            raise CorruptSegment(f"undecodable record at byte {offset}: {exc}") from None
        append_record(merged, record, offset)
        offset = end
    return merged


def append_record(merged: Columns, record: Record, offset: int) -> None:
    """Add one record's rows to ``merged``, refusing a record of the wrong shape."""
    events = record.events
    if set(events) != set(PER_EVENT_COLUMNS) or set(record.constants) != set(BATCH_COLUMNS):
        raise CorruptSegment(f"record at byte {offset} does not have the row columns")
    count = len(events["Timestamp"])
    if any(len(values) != count for values in events.values()):
        raise CorruptSegment(f"record at byte {offset} has columns of unequal length")
    data = merged.data
    for name in PER_EVENT_COLUMNS:
        if name != "LogAttributes":
            data[name].extend(events[name])
    data["LogAttributes"].extend({**record.shared, **own} for own in events["LogAttributes"])
    for name, value in record.constants.items():
        data[name].extend([value] * count)
    merged.count += count


@dataclass(slots=True)
class Segment:
    """One segment file and what it holds."""

    path: Path
    rows: int = 0
    bytes: int = 0

    @property
    def token(self) -> str:
        """The insert deduplication token: unique per segment, the same on every replay."""
        return "rum-wal-" + self.path.stem


class WriteAheadLog:
    """Segments in one directory; appends from request threads, reads from the writer."""

    def __init__(
        self,
        directory: Path,
        max_bytes: int,
        max_rows: int,
        segment_max_bytes: int,
        fsync_seconds: float,
        segment_max_rows: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.directory = directory
        self.dead_letter_directory = directory / DEAD_LETTER_DIR
        self._max_bytes = max_bytes
        self._max_rows = max_rows
        self._segment_max_bytes = segment_max_bytes
        self._segment_max_rows = segment_max_rows
        self._fsync_seconds = fsync_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._sealed: deque[Segment] = deque()
        self._active: Segment | None = None
        self._fd = -1
        self._active_since = 0.0
        self._last_sync = 0.0
        self._unsynced = False
        self.backlog_bytes = 0
        self.backlog_rows = 0
        self.closed = False

    def open(self) -> list[Segment]:
        """Take every segment an earlier run left as sealed (oldest first); returns them."""
        self.directory.mkdir(parents=True, exist_ok=True)
        adopt_legacy_spool(self.directory)
        found = []
        for path in sorted(self.directory.glob("*" + SUFFIX)):
            segment = Segment(path, bytes=path.stat().st_size)
            with contextlib.suppress(OSError, CorruptSegment):  # dead-lettered in its turn
                segment.rows = decode_segment(path.read_bytes()).count
            found.append(segment)
        with self._lock:
            self._sealed.extend(found)
            self.backlog_bytes += sum(segment.bytes for segment in found)
            self.backlog_rows += sum(segment.rows for segment in found)
        return found

    def append(self, frame: bytes, rows: int) -> bool:
        """Write one framed record before the answer; True when a segment was sealed.

        Raises :class:`QueueFull` when the backlog is at its byte or row bound.
        """
        with self._lock:
            if self.closed:
                raise QueueFull("the server is shutting down; retry later")
            if not self._has_room_locked(len(frame), rows):
                raise QueueFull("the write queue is full; retry later")
            if self._active is None:
                self._start_segment()
            assert self._active is not None
            written = os.write(self._fd, frame)
            while written < len(frame):  # regular files write fully; be safe anyway
                written += os.write(self._fd, frame[written:])
            self._active.bytes += len(frame)
            self._active.rows += rows
            self.backlog_bytes += len(frame)
            self.backlog_rows += rows
            self._unsynced = True
            if self._segment_full(self._active):
                self._seal_locked()  # here, not by the writer: it may be busy retrying
                return True
            if self._fsync_seconds <= 0:
                self._sync_locked()
            return False

    def has_room(self, size: int, rows: int) -> bool:
        with self._lock:
            return self._has_room_locked(size, rows)

    def _has_room_locked(self, size: int, rows: int) -> bool:
        fits_bytes = self.backlog_bytes + size <= self._max_bytes
        return fits_bytes and self.backlog_rows + rows <= self._max_rows

    @property
    def fsync_every(self) -> float:
        """How often the writer must call :meth:`sync_if_due` (inf: every append syncs)."""
        return self._fsync_seconds if self._fsync_seconds > 0 else float("inf")

    def seal_if_older(self, max_age: float) -> None:
        """Seal the active segment when it has rows and is older than ``max_age`` seconds."""
        with self._lock:
            active = self._active
            if active is not None and active.rows and self._clock() - self._active_since >= max_age:
                self._seal_locked()

    def _segment_full(self, segment: Segment) -> bool:
        """Bytes bound the disk; rows bound one insert's memory (rows are expanded there)."""
        return segment.bytes >= self._segment_max_bytes or segment.rows >= self._segment_max_rows

    def sync_if_due(self) -> None:
        """fsync the active segment when the interval has passed since the last one."""
        with self._lock:
            if self._unsynced and self._clock() - self._last_sync >= self._fsync_seconds:
                self._sync_locked()

    def oldest_sealed(self) -> Segment | None:
        with self._lock:
            return self._sealed[0] if self._sealed else None

    def acknowledge(self, segment: Segment) -> None:
        """The segment's rows are in the store: forget it."""
        segment.path.unlink(missing_ok=True)
        self._forget(segment)

    def dead_letter(self, segment: Segment, reason: str) -> Path:
        """Move a segment the store can never accept aside, with why, so the rest flows."""
        self.dead_letter_directory.mkdir(parents=True, exist_ok=True)
        target = self.dead_letter_directory / segment.path.name
        segment.path.replace(target)
        target.with_suffix(".reason").write_text(reason + "\n")
        self._forget(segment)
        return target

    def dead_letter_count(self) -> int:
        """Segments waiting in the dead-letter directory (one directory listing)."""
        try:
            return sum(
                1 for entry in os.scandir(self.dead_letter_directory) if entry.name.endswith(SUFFIX)
            )
        except FileNotFoundError:
            return 0

    def close(self) -> None:
        """Stop appending; seal and fsync what is active (it is replayed at the next start)."""
        with self._lock:
            self.closed = True
            if self._active is not None:
                self._seal_locked()

    def _forget(self, segment: Segment) -> None:
        with self._lock:
            if self._sealed and self._sealed[0] is segment:
                self._sealed.popleft()
            self.backlog_bytes -= segment.bytes
            self.backlog_rows -= segment.rows

    def _start_segment(self) -> None:
        name = f"{time.time_ns():020d}-{secrets.token_hex(4)}{SUFFIX}"
        path = self.directory / name
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        self._active = Segment(path)
        self._active_since = self._clock()

    def _seal_locked(self) -> None:
        assert self._active is not None
        self._sync_locked()
        os.close(self._fd)
        self._fd = -1
        if self._active.rows:
            self._sealed.append(self._active)
        else:
            self._active.path.unlink(missing_ok=True)
        self._active = None

    def _sync_locked(self) -> None:
        if self._fd >= 0:
            os.fsync(self._fd)
        self._unsynced = False
        self._last_sync = self._clock()


LEGACY_SPOOL_SUFFIX = ".rows.msgpack"
_legacy_decoder = msgspec.msgpack.Decoder(dict[str, list[Any]])


def adopt_legacy_spool(directory: Path) -> None:
    """Turn spool files of earlier versions (full columns, several batches merged) into
    segments, one record per row, so rows spooled before an upgrade are not stranded."""
    for path in sorted(directory.glob("*" + LEGACY_SPOOL_SUFFIX)):
        try:
            data = _legacy_decoder.decode(path.read_bytes())
        except (OSError, msgspec.DecodeError) as exc:
            log.error("cannot read the old spool file %s: %s", path, exc)
            continue
        frames = []
        for row in range(len(data.get("Timestamp", []))):
            record = Record(
                constants={name: data[name][row] for name in BATCH_COLUMNS if name in data},
                shared={},
                events={name: [data[name][row]] for name in PER_EVENT_COLUMNS if name in data},
            )
            frames.append(frame(record))
        target = directory / (path.name.removesuffix(LEGACY_SPOOL_SUFFIX) + SUFFIX)
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(b"".join(frames))
        temporary.replace(target)
        path.unlink()
        log.warning("adopted %d rows from the old spool file %s", len(frames), path)


def open_wal(settings: Settings, directory: Path | None = None) -> WriteAheadLog:
    """The log in the spool directory (``RUM_SPOOL_DIR``; beside an embedded store by default)."""
    return WriteAheadLog(
        directory or settings.spool_path,
        max_bytes=settings.queue_max_bytes,
        max_rows=settings.queue_max_rows,
        segment_max_bytes=settings.segment_max_bytes,
        fsync_seconds=settings.fsync_seconds,
        segment_max_rows=settings.flush_rows,
    )
