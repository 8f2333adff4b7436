"""p75 LCP per route: the rollup-backed report against the raw-table query of storage.md.

Seeds a store with ``--rows`` synthetic rows (``rum-server demo-data``; skipped when the
data directory already holds them), then times both queries (median of ``--repeat`` runs
after a warm-up), checks they agree within 1% per route, and prints the figures.

    python bench/bench_rollup.py --rows 1000000 --dsn chdb:///tmp/rum-bench

Exit status 1 when the rollup is less than ``--min-speedup`` times faster or the answers
disagree, so the figure can guard a change.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rum_server.cli.demo_data import Seed, seed_store
from rum_server.query.reports import Filters, vitals
from rum_server.settings import Settings
from rum_server.storage.rollups import day_split, settle
from rum_server.storage.store import Store

SITE = "demo-store"


def raw_query(table: str, site: str, days: int) -> str:
    """The analyst's first query (storage.md), verbatim but for the names."""
    return f"""SELECT LogAttributes['rum.route'] AS route,
       quantileTDigest(0.75)(toFloat64OrNull(LogAttributes['rum.metric.value'])) AS p75_lcp_ms,
       count() AS samples
FROM {table}
WHERE EventName = 'rum.web_vital'
  AND ServiceName = '{site}'
  AND LogAttributes['rum.metric.name'] = 'LCP'
  AND Timestamp >= now() - INTERVAL {days} DAY
GROUP BY route ORDER BY samples DESC"""


def timed(run: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    """Median seconds over ``repeat`` runs after one warm-up, and every run's seconds."""
    run()
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--dsn", default="chdb:///tmp/rum-bench")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--min-speedup", type=float, default=20.0)
    args = parser.parse_args()

    store = Store(Settings(dsn=args.dsn))
    try:
        store.ensure_schema()
        table = store.settings.qualified_table
        have = store.query(f"SELECT count() FROM {table} WHERE ServiceName = '{SITE}'")[0][0]
        if have < args.rows:
            started = time.perf_counter()
            written = seed_store(store, Seed(rows=args.rows, days=args.days, site=SITE), True)
            print(f"seeded {written:,} rows in {time.perf_counter() - started:.1f} s")
        settle(store)
        total = store.query(f"SELECT count() FROM {table} WHERE ServiceName = '{SITE}'")[0][0]
        filters = Filters(site=SITE, days=args.days)
        raw_sql = raw_query(table, SITE, args.days)

        def report() -> list[dict[str, object]]:
            """The whole report as the CLI and API run it: the day split, then the query."""
            return vitals(store, filters, "route").rows

        raw_s, raw_runs = timed(lambda: store.query(raw_sql), args.repeat)
        rollup_s, rollup_runs = timed(report, args.repeat)
        raw = {row[0]: (float(row[1]), int(row[2])) for row in store.query(raw_sql)}
        rollup = {
            str(row["route"]): (float(str(row["p75"])), int(str(row["samples"])))
            for row in report()
        }
        stage_days = len(day_split(store, args.days).stage)
    finally:
        store.close()

    print(f"rows in the logs table for {SITE}: {total:,}; days read from the stage: {stage_days}")
    print(f"raw table (storage.md query): median {raw_s * 1000:8.1f} ms  runs {fmt(raw_runs)}")
    print(
        f"rollup report (vitals):       median {rollup_s * 1000:8.1f} ms  runs {fmt(rollup_runs)}"
    )
    speedup = raw_s / rollup_s
    print(f"speed-up: {speedup:.1f}x (wanted >= {args.min_speedup:g}x)")
    print(
        f"{'route':<20} {'raw p75':>9} {'rollup p75':>11} {'diff':>7} {'raw n':>8} {'rollup n':>9}"
    )
    worst = 0.0
    for route, (raw_p75, raw_n) in sorted(raw.items(), key=lambda item: -item[1][1]):
        rollup_p75, rollup_n = rollup.get(route, (float("nan"), 0))
        diff = abs(rollup_p75 - raw_p75) / raw_p75
        worst = max(worst, diff) if diff == diff else 1.0
        print(
            f"{route:<20} {raw_p75:9.0f} {rollup_p75:11.0f} {diff * 100:6.2f}% "
            f"{raw_n:8,} {rollup_n:9,}"
        )
    print(f"largest p75 difference: {worst * 100:.2f}% (wanted <= 1%)")
    ok = speedup >= args.min_speedup and worst <= 0.01 and set(raw) == set(rollup)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def fmt(runs: list[float]) -> str:
    return " ".join(f"{run * 1000:.1f}" for run in runs)


if __name__ == "__main__":
    sys.exit(main())
