"""The store: writer vs raw insert, what each MATERIALIZED column, skip index and rollup
view costs on the insert path, flush sizes, and bytes on disk after merges.

Runs in its own process (one embedded ClickHouse per process). The rows are the
corpus's, built by the real pipeline; every variant gets the very same rows.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import msgspec

from bench import stages
from bench.corpus import Beacon
from bench.procs import progress

DB = "bench"
OURS = "ours (schema.py today)"
PLAIN = "ours without bucketed Maps (older engines)"
READS = 5
"""Timed runs of each read per table and repeat (the first one cold)."""
BEFORE = "… and the ids stored again (MATERIALIZED, own index): the layout before"

# The Collector's clickhouseexporter default logs table (exporter v0.11x), for the bytes baseline.
EXPORTER_DDL = """CREATE TABLE {db}.{table} (
    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    TimestampTime DateTime DEFAULT toDateTime(Timestamp),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    TraceFlags UInt8,
    SeverityText LowCardinality(String) CODEC(ZSTD(1)),
    SeverityNumber UInt8,
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    Body String CODEC(ZSTD(1)),
    ResourceSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion LowCardinality(String) CODEC(ZSTD(1)),
    ScopeAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    LogAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    EventName String CODEC(ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_log_attr_key mapKeys(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_log_attr_value mapValues(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_body Body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
) ENGINE = MergeTree
PARTITION BY toDate(TimestampTime)
PRIMARY KEY (ServiceName, TimestampTime)
ORDER BY (ServiceName, TimestampTime, Timestamp)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1"""


PREVIOUS_ID_INDEX = "INDEX idx_rum_page_view RumPageViewId TYPE bloom_filter(0.01) GRANULARITY 1"
"""The skip index the ids had while they were stored (before the ids became ALIAS)."""


def table_ddl(
    db: str,
    table: str,
    materialized: Sequence[str],
    indexes: Sequence[str],
    codecs: dict[str, str] | None = None,
    stored_ids: bool = False,
) -> str:
    """Our logs table with only the given MATERIALIZED columns and skip indexes.

    ``codecs`` replaces a column's codec ("" leaves the engine's default, LZ4);
    ``stored_ids`` stores the ALIAS ids (MATERIALIZED, with their skip index) as before.
    """
    ddl = stages.logs_table_ddl(stages.SchemaTarget(db, table, 90, ""))
    lines = ddl.splitlines()
    head, columns, tail = lines[0], lines[1:-5], lines[-5:]
    kept = []
    for line in columns:
        item = line.strip().rstrip(",")
        name = item.split("`")[1] if item.startswith("`") else ""
        if " MATERIALIZED " in item and name not in materialized:
            continue
        if item.startswith("INDEX ") and item not in indexes:
            continue
        if stored_ids and name in stages.ALIAS_COLUMNS:
            item = item.replace(" ALIAS ", " MATERIALIZED ")
        if codecs and name in codecs:
            item = f"{item.split(' CODEC(')[0]} {codecs[name]}".rstrip()
        kept.append(item)
    if stored_ids:
        kept.append(PREVIOUS_ID_INDEX)
    return head + "\n    " + ",\n    ".join(kept) + "\n" + "\n".join(tail)


def read_queries(columns: stages.Columns) -> dict[str, str]:
    """Reads of the logs table that a layout changes, with ``{logs}`` for the table (and
    ``{errors}`` for its errors rollup, which the stacks query narrows the rows by): the
    API's error detail and stacks, a Grafana vitals panel, the id-keyed reads, and the
    analyst's first query (storage.md)."""
    rows = list(zip(columns.data["EventName"], columns.data["LogAttributes"], strict=True))
    errors = [attributes for name, attributes in rows if name == "rum.error"]
    fingerprints = sorted({a["rum.error.fingerprint"] for a in errors})[:20]
    filters = stages.Filters(days=30)
    return {
        "API: one error's detail": stages.error_detail_query(
            "{logs}", filters, fingerprints[0]
        ).sql,
        "API: the errors' latest stacks": stages.latest_stacks_query(
            "{logs}", "{errors}", filters, fingerprints
        ).sql,
        "Grafana: p75 per vital, one row per metric id": (
            "SELECT metric, quantileTDigestWeighted(0.75)(value, weight) FROM (\n"
            "  SELECT RumMetricName AS metric, argMax(RumMetricValue, Timestamp) AS value,\n"
            "         toUInt64(greatest(round(argMax(if(RumSampleRate > 0, 1 / RumSampleRate,"
            " 1.), Timestamp)), 1)) AS weight\n"
            "  FROM {logs} WHERE EventName = 'rum.web_vital'\n"
            "  GROUP BY RumMetricName, RumMetricId) GROUP BY metric"
        ),
        "errors per page view and session (ids only)": (
            "SELECT count(), uniqExact(session) FROM (SELECT RumPageViewId,"
            " any(RumSessionId) AS session FROM {logs} WHERE EventName = 'rum.error'"
            " GROUP BY RumPageViewId)"
        ),
        "a page view's rows (by RumPageViewId)": (
            f"SELECT count() FROM {{logs}} WHERE RumPageViewId = '{errors[0]['rum.page_view.id']}'"
        ),
        "analyst's first query (LogAttributes only)": (
            "SELECT LogAttributes['rum.route'] AS route, quantileTDigest(0.75)"
            "(toFloat64OrNull(LogAttributes['rum.metric.value'])), count() FROM {logs} "
            "WHERE EventName = 'rum.web_vital' AND LogAttributes['rum.metric.name'] = 'LCP' "
            "GROUP BY route"
        ),
    }


def batch_columns(beacons: Sequence[Beacon]) -> list[stages.Columns]:
    """Each beacon's rows through the real pipeline, one batch each (as the handler has them)."""
    pipeline = stages.Pipeline(stages.Settings(dsn="chdb:///unused"))
    received = time.time_ns()
    return [
        pipeline.process(b.body, stages.RequestContext(received, b.user_agent)).columns
        for b in beacons
    ]


def build_rows(beacons: Sequence[Beacon]) -> tuple[stages.Columns, bytes, list[str]]:
    """The corpus's rows through the real pipeline; also as the sink's JSONCompactColumns."""
    merged = stages.merge(batch_columns(beacons))
    return merged, _encode(merged.data), list(merged.data)


def _encode(data: dict[str, list[Any]]) -> bytes:
    """Rows as the sink sends them: JSONCompactColumns, timestamps as decimal seconds."""
    return msgspec.json.encode(
        [
            [f"{ns // 10**9}.{ns % 10**9:09d}" for ns in col] if name == "Timestamp" else col
            for name, col in data.items()
        ]
    )


def run(beacons: Sequence[Beacon], dsn: str, repeats: int) -> dict[str, Any]:
    store = stages.Store(stages.Settings(dsn=dsn))
    client = store.client
    progress(f"store: building rows from {len(beacons):,} beacons")
    columns, payload, names = build_rows(beacons)
    rows = columns.count
    page_views = columns.data["EventName"].count("rum.page_view")
    result: dict[str, Any] = {"rows": rows, "page_views": page_views, "repeats": repeats}
    counter = iter(range(10**6))
    Ddl = Callable[[str, str], list[str]]

    def fresh(ddl_for: Ddl) -> str:
        """A new database holding one variant's logs table (and rollups); returns the db."""
        db = f"{DB}_{next(counter)}"
        client.command(f"CREATE DATABASE {db}")
        for statement in ddl_for(db, "otel_logs"):
            client.command(statement)
        return db

    def drop(db: str) -> None:
        client.command(f"DROP DATABASE IF EXISTS {db} SYNC")

    def full_schema(db: str, table: str, logs_ddl: str = "", buckets: bool = True) -> list[str]:
        """What ``ensure_schema`` makes of a fresh store (``logs_ddl`` swaps the logs table)."""
        target = stages.SchemaTarget(db, table, 90, "")
        made = [s for s in stages.statements(target) if "CREATE DATABASE" not in s]
        if logs_ddl:
            made[0] = logs_ddl
        return made + ([stages.map_buckets_ddl(target)] if buckets else [])

    def insert_payload(db: str) -> float:
        started = time.perf_counter()
        client.raw_insert(f"{db}.otel_logs", names, insert_block=payload, fmt="JSONCompactColumns")
        return time.perf_counter() - started

    def writer_split() -> list[stages.Columns]:
        """The same rows as the writer receives them, 10,000 at a time."""
        parts = []
        for lo in range(0, rows, 10_000):
            part = stages.Columns()
            part.data = {n: v[lo : lo + 10_000] for n, v in columns.data.items()}
            part.count = len(part.data["Timestamp"])
            parts.append(part)
        return parts

    # 1. Writer vs raw inserts of the same rows, full schema (rollups included).
    progress(f"store: writer vs raw insert, {rows:,} rows x {repeats}")
    writer_s, native_s, payload_s = [], [], []
    for _ in range(repeats):
        db = fresh(full_schema)
        local = stages.Store(stages.Settings(dsn=dsn, database=db, table="otel_logs"))
        log_dir = Path(tempfile.mkdtemp(prefix="rum-bench-wal-"))
        writer = stages.bench_writer(stages.ClickHouseSink(local), log_dir, flush_rows=10_000)
        batches_in = batch_columns(beacons)  # the writer takes one batch at a time
        started = time.perf_counter()
        writer.start()
        for part in batches_in:
            writer.submit(part)
        writer.close(timeout=600)
        shutil.rmtree(log_dir, ignore_errors=True)
        writer_s.append(time.perf_counter() - started)
        drop(db)
        # The raw inserts get the same 10,000-row batches the writer receives: insert size
        # drives the per-row cost (see the flush sizes), so only equal batches compare.
        db = fresh(full_schema)
        batches = [[part.data[n] for n in names] for part in writer_split()]
        started = time.perf_counter()
        for batch in batches:
            client.insert(f"{db}.otel_logs", batch, column_names=names, column_oriented=True)
        native_s.append(time.perf_counter() - started)
        drop(db)
        db = fresh(full_schema)
        encoded = [_encode(part.data) for part in writer_split()]
        started = time.perf_counter()
        for block in encoded:
            client.raw_insert(f"{db}.otel_logs", names, insert_block=block,
                              fmt="JSONCompactColumns")  # fmt: skip
        payload_s.append(time.perf_counter() - started)
        drop(db)
    result["writer"] = {
        "writer_rows_per_s": [rows / s for s in writer_s],
        "raw_native_rows_per_s": [rows / s for s in native_s],
        "raw_payload_rows_per_s": [rows / s for s in payload_s],
    }

    # 2. Insert cost of each addition over the exporter's columns alone. Variants are
    # interleaved within each repeat and the fastest repeat counts: on a shared machine the
    # minimum is the closest to the work itself.
    progress(
        f"store: insert cost of each MATERIALIZED column, skip index and the rollups, "
        f"{rows:,} rows x {repeats}"
    )
    all_mat = list(stages.MATERIALIZED_COLUMNS)
    all_idx = list(stages.SKIP_INDEXES)
    variants: dict[str, Ddl] = {"exporter columns only, no index": lambda d, t: [
        table_ddl(d, t, [], [])]}  # fmt: skip
    for name in all_mat:
        variants[f"MATERIALIZED {name}"] = lambda d, t, n=name: [table_ddl(d, t, [n], [])]
    for index in all_idx:
        variants[f"INDEX {index.split()[1]}"] = lambda d, t, i=index: [table_ddl(d, t, [], [i])]
    variants["all MATERIALIZED columns + all indexes, no rollups"] = lambda d, t: [
        table_ddl(d, t, all_mat, all_idx)]  # fmt: skip
    variants["full schema (with the rollup views)"] = full_schema
    costs: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, ddl_for in variants.items():
            db = fresh(ddl_for)
            costs[name].append(insert_payload(db))
            drop(db)
    base = min(costs["exporter columns only, no index"])
    result["insert_costs"] = {
        name: {"seconds": values, "us_per_row_over_bare": (min(values) - base) / rows * 1e6}
        for name, values in costs.items()
    }

    # 3. Flush size: rows/s of the sink's insert at several batch sizes (full schema).
    progress("store: flush sizes")
    flush: dict[str, float] = {}
    for size in (1_000, 10_000, 50_000):
        if size > rows:
            continue
        db = fresh(full_schema)
        sink = stages.ClickHouseSink(
            stages.Store(stages.Settings(dsn=dsn, database=db, table="otel_logs"))
        )
        chunks = [
            {n: v[lo : lo + size] for n, v in columns.data.items()}
            for lo in range(0, rows - size + 1, size)
        ]
        started = time.perf_counter()
        for chunk in chunks:
            sink.write(chunk)
        flush[str(size)] = len(chunks) * size / (time.perf_counter() - started)
        drop(db)
    result["flush_rows_per_s"] = flush

    # 4. Bytes on disk after merges: ours, the exporter's default DDL, and ours with each
    # storage choice undone in turn, down to the layout before (ids stored, ZSTD(1) Maps).
    progress("store: bytes on disk after OPTIMIZE FINAL")
    plain_maps = {"LogAttributes": "CODEC(ZSTD(1))", "ResourceAttributes": "CODEC(ZSTD(1))"}
    lz4_additions = dict.fromkeys(all_mat, "")

    def ours_with(
        codecs: dict[str, str] | None = None, stored_ids: bool = False, buckets: bool = True
    ) -> Ddl:
        def ddl_for(d: str, t: str) -> list[str]:
            logs = table_ddl(d, t, all_mat, all_idx, codecs, stored_ids)
            return full_schema(d, t, logs, buckets)

        return ddl_for

    def disk_usage(db: str) -> dict[str, Any]:
        parts = client.query(
            f"SELECT table, sum(data_compressed_bytes), sum(bytes_on_disk) FROM system.parts "
            f"WHERE database = '{db}' AND active GROUP BY table"
        ).result_rows
        per_column = client.query(
            f"SELECT column, sum(column_data_compressed_bytes) AS b FROM system.parts_columns "
            f"WHERE database = '{db}' AND table = 'otel_logs' AND active GROUP BY column "
            f"ORDER BY b DESC"
        ).result_rows
        logs = next(((c, d) for t, c, d in parts if t == "otel_logs"), (0, 0))
        rollups = sum(d for t, _, d in parts if t != "otel_logs")
        return {
            "logs_on_disk": logs[1],
            "logs_compressed": logs[0],
            "rollups_on_disk": rollups,
            "bytes_per_event": logs[1] / rows,
            "bytes_per_page_view": logs[1] / page_views,
            "bytes_per_page_view_with_rollups": (logs[1] + rollups) / page_views,
            "columns": {c: b for c, b in per_column},
        }

    variants = {
        "exporter default DDL": lambda d, t: [EXPORTER_DDL.format(db=d, table=t)],
        OURS: full_schema,
        PLAIN: ours_with(buckets=False),
        "… and ZSTD(1) on the Maps, as the exporter": ours_with(plain_maps, buckets=False),
        "… and LZ4 on our MATERIALIZED columns": ours_with(
            plain_maps | lz4_additions, buckets=False
        ),
        BEFORE: ours_with(plain_maps | lz4_additions, stored_ids=True, buckets=False),
    }
    # Reads on the merged tables: ours, ours on an engine without bucketed Maps, and before.
    reads = read_queries(columns)
    read_layouts = (OURS, PLAIN, BEFORE)
    read_ms: dict[str, dict[str, list[float]]] = {q: {k: [] for k in read_layouts} for q in reads}
    sizes: dict[str, Any] = {}
    timings: dict[str, list[tuple[float, float]]] = {label: [] for label in variants}
    for _ in range(repeats):  # interleaved, like the insert costs; sizes do not vary
        for label, ddl_for in variants.items():
            db = fresh(ddl_for)
            inserted = insert_payload(db)
            started = time.perf_counter()
            client.command(f"OPTIMIZE TABLE {db}.otel_logs FINAL")
            timings[label].append((inserted, time.perf_counter() - started))
            sizes[label] = disk_usage(db)
            for query, sql in reads.items() if label in read_layouts else ():
                for _ in range(READS):
                    started = time.perf_counter()
                    tables = sql.replace("{errors}", f"{db}.rum_errors_daily")
                    client.query(tables.replace("{logs}", f"{db}.otel_logs"))
                    read_ms[query][label].append((time.perf_counter() - started) * 1000)
            drop(db)
    for label, size in sizes.items():
        size["insert_seconds"] = [inserted for inserted, _ in timings[label]]
        size["merge_seconds"] = [merged for _, merged in timings[label]]
    result["bytes"] = sizes
    result["reads_ms"] = read_ms
    store.close()
    return result
