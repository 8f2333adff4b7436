"""Bytes on disk per page view and per row, for capacity planning (docs/scaling.md).

Seeds ``--rows`` synthetic rows (``rum-server demo-data`` logic) into a fresh
embedded store, merges every table's parts (``OPTIMIZE … FINAL``, as ClickHouse's
background merges end up doing), then prints the compressed and uncompressed
bytes of the logs table and of the rollups, per row and per page view.

    python bench/bench_storage.py --rows 200000 --dsn chdb:///tmp/rum-storage
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rum_server.cli.demo_data import Seed, seed_store
from rum_server.settings import Settings
from rum_server.storage.store import Store


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--dsn", default="chdb:///tmp/rum-storage")
    args = parser.parse_args()
    store = Store(Settings(dsn=args.dsn))
    try:
        store.ensure_schema()
        if store.query("SELECT count() FROM otel.otel_logs")[0][0] == 0:
            seed_store(store, Seed(rows=args.rows, days=7))
        tables = [row[0] for row in store.query("SHOW TABLES FROM otel")]
        for table in tables:
            if not table.endswith("_mv"):
                store.command(f"OPTIMIZE TABLE otel.{table} FINAL")
        rows, page_views = store.query(
            "SELECT count(), countIf(EventName = 'rum.page_view') FROM otel.otel_logs"
        )[0]
        sizes = store.query(
            "SELECT table = 'otel_logs' AS logs, sum(data_compressed_bytes), "
            "sum(data_uncompressed_bytes), sum(bytes_on_disk) FROM system.parts "
            "WHERE database = 'otel' AND active GROUP BY logs ORDER BY logs DESC"
        )
    finally:
        store.close()
    print(f"{rows:,} rows, {page_views:,} page views ({rows / page_views:.1f} rows per page view)")
    print(f"{'':<10}{'on disk':>14}{'compressed':>14}{'raw':>14}{'/row':>8}{'/page view':>12}")
    for logs, compressed, raw, on_disk in sizes:
        name = "logs" if logs else "rollups"
        print(
            f"{name:<10}{on_disk:>14,}{compressed:>14,}{raw:>14,}"
            f"{on_disk / rows:>8.0f}{on_disk / page_views:>12.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
