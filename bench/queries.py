"""Queries at scale: the dashboard's API calls and ``query vitals --by route`` at 1M and 10M
rows, rollup vs raw, with latency and memory.

Three steps per scale, each its own process (one per embedded data directory):
``seed`` fills the store (``demo-data``'s generator up to the first scale, then the
same rows copied with fresh ids to reach the next), ``direct`` times the rollup
report against the raw-table query in-process, and a real ``rum-server serve``
answers the dashboard's calls over HTTP.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import urllib.request
from typing import Any

from bench import stages
from bench.memory import peak_growth, reset_peak
from bench.procs import BenchError, Children, child_env, free_port, progress, serve_command

SITE = "demo-store"
DAYS = 30

# The calls the dashboard makes on load (dashboard_assets), in its order.
DASHBOARD_CALLS = {
    "sites": "sites",
    "vitals by route (LCP)": f"vitals?site={SITE}&days={DAYS}&metric=LCP&by=route",
    "vitals by route (CLS)": f"vitals?site={SITE}&days={DAYS}&metric=CLS&by=route",
    "vitals by device": f"vitals?site={SITE}&days={DAYS}&metric=LCP&by=device",
    "vitals by site": f"vitals?days={DAYS}&metric=LCP&by=site",
    "trend": f"trend?site={SITE}&days={DAYS}&metric=LCP",
    "compare": f"compare?site={SITE}&days={DAYS}&metric=LCP",
    "pages": f"pages?site={SITE}&days={DAYS}",
    "errors": f"errors?site={SITE}&days={DAYS}",
}


def raw_query(table: str) -> str:
    """The analyst's first query (storage.md) over the raw rows: p75 LCP per route."""
    return f"""SELECT LogAttributes['rum.route'] AS route,
       quantileTDigest(0.75)(toFloat64OrNull(LogAttributes['rum.metric.value'])) AS p75,
       count() AS samples
FROM {table}
WHERE EventName = 'rum.web_vital' AND ServiceName = '{SITE}'
  AND LogAttributes['rum.metric.name'] = 'LCP'
  AND Timestamp >= now() - INTERVAL {DAYS} DAY
GROUP BY route ORDER BY samples DESC"""


def seed(dsn: str, rows: int) -> dict[str, Any]:
    """Bring the store to ``rows`` rows of ``SITE``; returns what was done and how fast."""
    store = stages.Store(stages.Settings(dsn=dsn))
    try:
        store.ensure_schema()
        table = store.settings.qualified_table
        have = store.query(f"SELECT count() FROM {table}")[0][0]
        started = time.perf_counter()
        if have == 0:
            stages.seed_store(store, stages.Seed(rows=rows, days=DAYS, site=SITE))
        else:
            copy = 0
            columns = ", ".join(stages.EXPORTER_COLUMNS)
            while have < rows:
                copy += 1
                take = min(have, rows - have)
                attrs = (
                    f"mapApply((k, v) -> (k, if(k IN ('rum.metric.id', 'rum.page_view.id', "
                    f"'rum.session.id'), concat(v, '-c{copy}'), v)), LogAttributes)"
                )
                select = columns.replace("LogAttributes", f"{attrs} AS LogAttributes")
                store.command(
                    f"INSERT INTO {table} ({columns}) SELECT {select} FROM {table} LIMIT {take}"
                )
                have += take
                progress(f"  queries: {have:,} rows")
            stages.settle(store)
        seconds = time.perf_counter() - started
        total = store.query(f"SELECT count() FROM {table}")[0][0]
        return {"rows": total, "seed_seconds": seconds}
    finally:
        store.close()


def _timed(run: Any, repeats: int, pid: int | str = "self", warm: bool = True) -> dict[str, Any]:
    if warm:
        run()
    seconds, memory = [], []
    for _ in range(repeats):
        baseline = reset_peak(pid)
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
        memory.append(peak_growth(pid, baseline))
    return summary(seconds, memory)


def summary(seconds: list[float], memory: list[int]) -> dict[str, Any]:
    ordered = sorted(seconds)
    return {
        "median_ms": statistics.median(seconds) * 1000,
        "p95_ms": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000,
        "peak_rss_growth_mb": max(memory) / 2**20 if memory else 0.0,
        "runs_ms": [s * 1000 for s in seconds],
    }


def direct(dsn: str, repeats: int) -> dict[str, Any]:
    """Rollup-backed ``vitals --by route`` vs the raw-table query, in this process."""
    store = stages.Store(stages.Settings(dsn=dsn))
    try:
        table = store.settings.qualified_table
        filters = stages.Filters(site=SITE, days=DAYS, metric="LCP")
        accuracy = {metric: quantile_accuracy(store, metric) for metric in ("LCP", "CLS")}
        return {
            "accuracy": accuracy,
            "rollup: vitals by route (the CLI's report)": _timed(
                lambda: stages.vitals_report(store, filters, "route"), repeats
            ),
            # Two runs, the first cold: an analyst's first query pays it too.
            "raw: p75 LCP per route from LogAttributes": _timed(
                lambda: store.query(raw_query(table)), 2, warm=False
            ),
        }
    finally:
        store.close()


def quantile_accuracy(store: stages.Store, metric: str, calls: int = 5) -> dict[str, Any]:
    """The report's p75 per route against the exact weighted p75, and its spread over calls.

    Measured for the doc's recommendation on deterministic quantiles; routes with at
    least 100 samples.
    """
    filters = stages.Filters(site=SITE, days=DAYS, metric=metric)
    answers = [
        {
            row["route"]: row["p75"]
            for row in stages.vitals_report(store, filters, "route").rows
            if int(row["samples"]) >= 100
        }
        for _ in range(calls)
    ]
    database = store.settings.database
    exact = dict(
        store.query(
            f"SELECT RumRoute, quantileExactWeighted(0.75)(RumMetricValue, toUInt64(round(Weight)))"
            f" FROM {database}.rum_vitals_stage FINAL WHERE ServiceName = '{SITE}' AND "
            f"RumMetricName = '{metric}' AND day > today() - {DAYS} GROUP BY RumRoute"
        )
    )
    errors = [
        abs(float(p) - float(exact[r])) / float(exact[r])
        for r, p in answers[0].items()
        if r in exact and float(exact[r]) > 0
    ]
    spread = (
        max(
            (max(float(a[r]) for a in answers) - min(float(a[r]) for a in answers))
            / max(float(answers[0][r]), 1e-9)
            for r in answers[0]
        )
        if answers[0]
        else 0.0
    )
    return {
        "routes": len(answers[0]),
        "max_rel_error_vs_exact": max(errors, default=0.0),
        "median_rel_error_vs_exact": statistics.median(errors) if errors else 0.0,
        "max_rel_spread_between_calls": spread,
    }


def api(children: Children, dsn: str, repeats: int) -> dict[str, Any]:
    """The dashboard's calls over HTTP to ``rum-server serve``, and the CLI's vitals query."""
    port = free_port()
    work = children.temp_dir("rum-bench-api-")
    child = children.start("serve", serve_command(dsn, port), work, child_env())
    base = f"http://127.0.0.1:{port}/__deco/rum/api/"
    try:
        child.wait_http(base + "sites")
        out: dict[str, Any] = {}
        for label, path in DASHBOARD_CALLS.items():
            out[label] = _timed(lambda p=path: _get(base + p), repeats, child.process.pid)
        cli = [
            sys.executable,
            "-m",
            "rum_server.cli.main",
            "query",
            "vitals",
            "--metric",
            "LCP",
            "--by",
            "route",
            "--days",
            str(DAYS),
            "--site",
            SITE,
            "--port",
            str(port),
            "--dsn",
            dsn,
        ]
        seconds = []
        for _ in range(max(2, repeats // 4)):
            started = time.perf_counter()
            done = subprocess.run(cli, capture_output=True, text=True, env=child_env(), check=False)
            seconds.append(time.perf_counter() - started)
            if done.returncode:
                raise BenchError(f"{' '.join(cli)} failed:\n{done.stdout}\n{done.stderr}")
        out["CLI: rum-server query vitals --by route (process start included)"] = summary(
            seconds, []
        )
        return out
    finally:
        children.stop(child)


def _get(url: str) -> None:
    with urllib.request.urlopen(url, timeout=600) as answer:
        answer.read()


def run(children: Children, scales: list[int], repeats: int, section: Any) -> dict[str, Any]:
    """Each scale in turn on one data directory (grown, never rebuilt)."""
    data = children.temp_dir("rum-bench-queries-")
    dsn = f"chdb://{data / 'store'}"
    results: dict[str, Any] = {"site": SITE, "days": DAYS, "scales": {}}
    for rows in scales:
        progress(f"queries: seeding {rows:,} rows")
        seeded = section("seed", {"dsn": dsn, "rows": rows})
        progress(f"queries: rollup vs raw at {seeded['rows']:,} rows")
        timings = section("direct", {"dsn": dsn, "repeats": repeats})
        progress(f"queries: dashboard API at {seeded['rows']:,} rows")
        results["scales"][str(rows)] = {
            **seeded,
            "direct": timings,
            "api": api(children, dsn, repeats),
            "bytes_on_disk": _disk_bytes(data / "store"),
        }
    return results


def _disk_bytes(path: Any) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
