"""Every import of the server's internals, and the per-stage cost of a batch's way.

The benchmark reaches into ``rum_server`` only here, so a restructure of the
server (modules moved or renamed) needs one fix in this file.

Stages, as the ingest path runs them: decode (msgspec, typed), redact (URLs,
messages, stacks, labels, through the server's caches), enrich (User-Agent and
route), rows (the OpenTelemetry columns: what is left of the pipeline's time),
insert (the sink's write into the embedded store).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rum_server.app import create_app
from rum_server.cli.demo_data import Seed, seed_store
from rum_server.query.error_reports import error_detail_query, latest_stacks_query
from rum_server.query.reports import Filters
from rum_server.query.reports import vitals as vitals_report
from rum_server.settings import Settings
from rum_server.storage import sinks as _sinks_module
from rum_server.storage.rollups import rollup_statements, settle
from rum_server.storage.schema import (
    _SKIP_INDEXES as SKIP_INDEXES,
)
from rum_server.storage.schema import (
    ALIAS_COLUMNS,
    EXPORTER_COLUMNS,
    MATERIALIZED_COLUMNS,
    SchemaTarget,
    logs_table_ddl,
    map_buckets_ddl,
    statements,
)
from rum_server.storage.sink import ClickHouseSink
from rum_server.storage.store import Store
from rum_server.storage.wal import WriteAheadLog
from rum_server.storage.writer import Writer
from rum_server.transform import labels as _labels_module
from rum_server.transform import redact as _redact_module
from rum_server.transform import route as _route_module
from rum_server.transform import rows as _rows_module
from rum_server.transform.pipeline import Pipeline, RequestContext
from rum_server.transform.rating import format_value, rating
from rum_server.transform.redact import RedactionPolicy, redact_referrer, redact_url
from rum_server.transform.route import route_for
from rum_server.transform.rows import ROW_COLUMNS, Columns
from rum_server.transform.user_agent import cache_clear as _ua_cache_clear
from rum_server.transform.user_agent import load_rules, parse_user_agent
from rum_server.transform.wire import typed_batch_decoder

__all__ = [
    "ALIAS_COLUMNS",
    "EXPORTER_COLUMNS",
    "MATERIALIZED_COLUMNS",
    "ROW_COLUMNS",
    "SKIP_INDEXES",
    "ClickHouseSink",
    "Columns",
    "Filters",
    "NullSink",
    "Pipeline",
    "RedactionPolicy",
    "RequestContext",
    "SchemaTarget",
    "Seed",
    "Settings",
    "Store",
    "Writer",
    "bench_writer",
    "clear_caches",
    "create_app",
    "error_detail_query",
    "format_value",
    "latest_stacks_query",
    "logs_table_ddl",
    "map_buckets_ddl",
    "merge",
    "null_sink_app",
    "parse_user_agent",
    "rating",
    "redact_referrer",
    "redact_stack",
    "redact_text",
    "redact_url",
    "rollup_statements",
    "route_for",
    "seed_store",
    "settle",
    "stage_costs",
    "statements",
    "vitals_report",
]

redact_text = _rows_module.redact_text
"""The server's cached free-text redaction (messages, labels, attribute values)."""
redact_stack = _rows_module.redact_stack_cached


def clear_caches() -> None:
    """Every per-process cache of the ingest path, so each stage starts as a fresh server:
    each ``functools`` cache of the transform modules, whatever their names."""
    _ua_cache_clear()
    for module in (_rows_module, _redact_module, _route_module, _labels_module):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


class NullSink:
    """Accepts rows and drops them: the full HTTP path and writer, no store work."""

    name = "null"

    def __init__(self, *_: object) -> None:
        self.rows = 0

    def write(self, columns: dict[str, list[Any]], dedup_token: str = "") -> None:
        self.rows += len(columns["Timestamp"])


def merge(parts: Sequence[Columns]) -> Columns:
    """Several batches' rows as one set of full columns (what one insert carries)."""
    merged = Columns()
    for part in parts:
        for name, values in part.merged().items():
            merged.data[name].extend(values)
        merged.count += part.count
    return merged


def bench_writer(sink: Any, directory: Path, flush_rows: int) -> Writer:
    """The server's writer on its write-ahead log in ``directory`` (no byte or row bound)."""
    wal = WriteAheadLog(directory, 2**40, 2**40, 8 * 2**20, 1.0, segment_max_rows=flush_rows)
    return Writer(sink, wal, flush_seconds=1.0)


def null_sink_app(settings: Settings) -> Any:
    """``create_app`` with the writer's ClickHouse sink swapped for :class:`NullSink`."""
    _sinks_module.ClickHouseSink = NullSink  # type: ignore[assignment,misc]
    return create_app(settings)


def _redact_batch(batch: Any, policy: RedactionPolicy) -> None:
    """The redaction calls the row builder makes for one batch, in the same caches."""
    redact_url(batch.url, policy)
    redact_text(batch.route, policy=policy)
    for value in (batch.sv, batch.ver, batch.env, batch.rid, batch.ray, batch.conn):
        redact_text(value)
    if batch.ref:
        redact_referrer(batch.ref)
    for event in batch.events:
        kind = type(event).__name__
        if kind == "WebVital":
            for key, raw in (event.attr or {}).items():
                redact_url(raw, policy) if key.endswith("url") else redact_text(raw)
        elif kind == "Error":
            redact_text(event.msg, policy=policy)
            redact_text(event.type)
            if event.file:
                redact_url(event.file, policy)
            if event.stack:
                redact_stack(event.stack, policy)
        elif kind == "CustomEvent":
            redact_text(event.name)
            for value in (event.labels or {}).values():
                redact_text(value)
            for value in (event.attrs or {}).values():
                redact_text(value)


def stage_costs(beacons: Sequence[Any], dsn: str, flush_rows: int = 10_000) -> dict[str, Any]:
    """CPU µs per event of each stage over the corpus, each stage from empty caches.

    ``rows`` is the whole pipeline minus decode, redact and enrich (they interleave in
    the row builder). ``insert`` is the sink's write into a fresh embedded store, in
    flushes of ``flush_rows`` rows like the writer's, wall time (ClickHouse's own
    threads do part of the work).
    """
    settings = Settings(dsn=dsn)
    policy = RedactionPolicy(settings.query_allowlist)
    events = sum(b.events for b in beacons)
    load_rules()
    pipeline = Pipeline(settings)
    received = time.time_ns()
    seconds: dict[str, float] = {}

    clear_caches()
    started = time.process_time()
    typed = [typed_batch_decoder.decode(b.body) for b in beacons]
    seconds["decode"] = time.process_time() - started

    clear_caches()
    started = time.process_time()
    for batch in typed:
        _redact_batch(batch, policy)
    seconds["redact"] = time.process_time() - started

    clear_caches()
    started = time.process_time()
    for beacon, batch in zip(beacons, typed, strict=True):
        parse_user_agent(beacon.user_agent)
        route_for(batch.route, batch.url)
    seconds["enrich"] = time.process_time() - started

    # The rows go on at once, as the server hands them to its log (the reference's rows
    # are dropped the same way): keeping 128k rows alive here would time the collector.
    clear_caches()
    started = time.process_time()
    for beacon in beacons:
        pipeline.process(beacon.body, RequestContext(received, beacon.user_agent))
    total = time.process_time() - started
    seconds["rows"] = total - seconds["decode"] - seconds["redact"] - seconds["enrich"]

    fresh = Pipeline(settings)  # the insert's rows, untimed, from a fresh label budget
    processed = [fresh.process(b.body, RequestContext(received, b.user_agent)) for b in beacons]

    store = Store(settings)
    try:
        store.ensure_schema()
        sink = ClickHouseSink(store)
        flushes: list[Columns] = []
        pending: list[Columns] = []
        count = 0
        for item in processed:
            pending.append(item.columns)
            count += item.columns.count
            if count >= flush_rows:
                flushes.append(merge(pending))
                pending, count = [], 0
        if pending:
            flushes.append(merge(pending))
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        for columns in flushes:
            sink.write(columns.data)
        insert_wall = time.perf_counter() - started_wall
        insert_cpu = time.process_time() - started_cpu
    finally:
        store.close()
    per_event = {name: value / events * 1e6 for name, value in seconds.items()}
    per_event["pipeline_total"] = total / events * 1e6
    per_event["insert"] = insert_wall / events * 1e6
    per_event["insert_cpu"] = insert_cpu / events * 1e6
    return {"events": events, "batches": len(beacons), "us_per_event": per_event}


def reference_costs(beacons: Sequence[Any], validate: Any, to_rows: Any) -> dict[str, float]:
    """The reference's validation and row building per event, on the same corpus and caches."""
    events = sum(b.events for b in beacons)
    received = time.time_ns()
    clear_caches()
    started = time.process_time()
    batches = [validate(b.body) for b in beacons]
    validated = time.process_time() - started
    started = time.process_time()
    for beacon, batch in zip(beacons, batches, strict=True):
        to_rows(batch, beacon.user_agent, received)
    built = time.process_time() - started
    return {
        "validate": validated / events * 1e6,
        "rows_with_redact_enrich": built / events * 1e6,
        "pipeline_total": (validated + built) / events * 1e6,
    }
