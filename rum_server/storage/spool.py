"""A durable spool for rows the writer could not insert before the process stopped.

When the store is down through a shutdown, the writer saves what is still queued
here (one msgpack file per save) instead of dropping it; the next start loads the
files back into the queue and deletes each one only after its rows are in the
store. Writes go to a temporary name and are renamed, so a crash never leaves a
half-written file that looks complete.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

import msgspec

from rum_server.transform.rows import Columns

log = logging.getLogger("rum_server.storage.spool")

SUFFIX = ".rows.msgpack"
_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(dict[str, list[Any]])


class Spool:
    """A directory of saved row batches."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def save(self, columns: Columns) -> Path:
        """Write rows to a new file atomically; returns its path."""
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{os.getpid()}{SUFFIX}"
        final = self.directory / name
        temporary = self.directory / (name + ".tmp")
        with temporary.open("wb") as file:
            file.write(_encoder.encode(columns.data))
            file.flush()
            os.fsync(file.fileno())
        temporary.replace(final)
        log.warning("spooled %d rows to %s", columns.count, final)
        return final

    def load(self) -> list[tuple[Columns, Path]]:
        """Every complete spool file's rows, oldest first, with the file they came from."""
        if not self.directory.is_dir():
            return []
        loaded = []
        for path in sorted(self.directory.glob("*" + SUFFIX)):
            try:
                data = _decoder.decode(path.read_bytes())
            except (OSError, msgspec.DecodeError) as exc:
                log.error("skipping unreadable spool file %s: %s", path, exc)
                continue
            columns = Columns()
            for name, values in data.items():
                if name in columns.data:
                    columns.data[name] = values
            columns.count = len(columns.data["Timestamp"])
            loaded.append((columns, path))
        return loaded

    @staticmethod
    def forget(paths: list[Path]) -> None:
        """Delete the spool files whose rows are now in the store (or in a newer file)."""
        for path in paths:
            path.unlink(missing_ok=True)
