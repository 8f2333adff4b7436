"""What the write-ahead log costs per batch, side by side in one run.

    python bench/bench_wal.py [--seconds 5]

Each mode runs the request path's CPU work for a 20-event beacon (decode,
redact, enrich, rows) and then hands the rows on:

- ``memory-queue``: appended to an in-memory list (what the server did before the log);
- ``wal``: encoded once and appended to a segment with ``fsync`` every second (the default);
- ``wal+fsync-each``: the same with ``fsync`` after every append (``RUM_FSYNC_SECONDS=0``).

The log lives in a temporary directory on the same disk as the project. Inserts
are not part of this figure (they run on the writer thread either way).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rum_server.settings import Settings
from rum_server.storage.wal import WriteAheadLog, encode_record
from rum_server.transform.pipeline import Pipeline, RequestContext
from rum_server.transform.rows import Columns

REPO = Path(__file__).resolve().parent.parent
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def beacon() -> bytes:
    """The page-vitals example grown to 20 events (the size the ingest bench posts)."""
    batch = json.loads((REPO / "docs/examples/page-vitals.json").read_text())
    events = batch["events"]
    batch["events"] = (events * (20 // len(events) + 1))[:20]
    return json.dumps(batch).encode()


def measure(seconds: float, hand_on: Callable[[Columns], None]) -> float:
    pipeline = Pipeline(Settings())
    body = beacon()
    done = 0
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        for _ in range(50):
            hand_on(pipeline.process(body, RequestContext(time.time_ns(), UA)).columns)
        done += 50
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    results = {}
    queue: list[Columns] = []

    def in_memory(columns: Columns) -> None:
        queue.append(columns)
        if len(queue) > 1000:
            queue.clear()

    results["memory-queue"] = measure(args.seconds, in_memory)
    for mode, fsync_seconds in (("wal", 1.0), ("wal+fsync-each", 0.0)):
        with tempfile.TemporaryDirectory(dir=REPO) as directory:
            wal = WriteAheadLog(Path(directory), 2**40, 2**40, 8 * 2**20, fsync_seconds)
            wal.open()

            def logged(columns: Columns, wal: WriteAheadLog = wal) -> None:
                wal.append(encode_record(columns), columns.count)
                wal.seal_if_older(1.0)
                wal.sync_if_due()

            results[mode] = measure(args.seconds, logged)
            wal.close()
    base = results["memory-queue"]
    print(f"{'mode':<16} {'batches/s':>10} {'vs memory':>10}")
    for mode, rate in results.items():
        print(f"{mode:<16} {rate:>10,.0f} {rate / base:>10.0%}")


if __name__ == "__main__":
    main()
