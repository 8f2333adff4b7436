"""The span sink (``--sink clickhouse,spans``): page views and vitals as browser spans.

ClickStack's UI, HyperDX, lists sessions from a *traces* source only: it groups
the spans of ``otel_traces`` by ``ServiceName`` and
``ResourceAttributes['rum.sessionId']`` and keeps a session when one of its spans
has ``SpanAttributes['component'] = 'user-interaction'`` (or is a ``record init``
replay span). So beside the log rows this sink writes each RUM row as the span a
browser OpenTelemetry SDK would have written:

=================  ==================================  =====================================
our row            span name                           ``SpanAttributes['component']``
=================  ==================================  =====================================
page view          ``documentLoad``                    ``document-load``
INP (interaction)  ``INP``, duration = the INP value   ``user-interaction``
other vitals       ``LCP``, ``CLS`` … (duration 0)     ``web-vitals``
error              the error type, status error        ``error``
=================  ==================================  =====================================

Custom business events stay logs only. Every span keeps the row's resource
attributes (``rum.sessionId``, ``service.name``, ``deployment.environment`` …) and
its ``rum.*`` attributes, plus ``location.href`` (the redacted page URL) and, for
errors, ``error.message``/``message``. The spans of one page view share a trace:
the backend's trace from the beacon's ``traceparent`` when there was one, else an
id derived from the page-view id; the ``documentLoad`` span is their parent.

The table is the OpenTelemetry Collector ``clickhouseexporter``'s traces table,
column for column, created if missing; string forms of kind and status are the
exporter's (``SPAN_KIND_INTERNAL``, ``STATUS_CODE_ERROR``).
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from rum_server.contract import (
    ERROR_EVENT,
    ERROR_MESSAGE,
    ERROR_TYPE,
    METRIC_ID,
    METRIC_NAME,
    METRIC_VALUE,
    PAGE_URL,
    PAGE_VIEW,
    PAGE_VIEW_ID,
    WEB_VITAL,
)
from rum_server.storage.sink import decimal_seconds, dedup_settings
from rum_server.storage.store import Store, StoreError

TRACES_TABLE = "otel_traces"

TRACES_COLUMNS: dict[str, str] = {
    "Timestamp": "DateTime64(9)",
    "TraceId": "String",
    "SpanId": "String",
    "ParentSpanId": "String",
    "TraceState": "String",
    "SpanName": "LowCardinality(String)",
    "SpanKind": "LowCardinality(String)",
    "ServiceName": "LowCardinality(String)",
    "ResourceAttributes": "Map(LowCardinality(String), String)",
    "ScopeName": "String",
    "ScopeVersion": "String",
    "SpanAttributes": "Map(LowCardinality(String), String)",
    "Duration": "UInt64",
    "StatusCode": "LowCardinality(String)",
    "StatusMessage": "String",
    "Events.Timestamp": "Array(DateTime64(9))",
    "Events.Name": "Array(LowCardinality(String))",
    "Events.Attributes": "Array(Map(LowCardinality(String), String))",
    "Links.TraceId": "Array(String)",
    "Links.SpanId": "Array(String)",
    "Links.TraceState": "Array(String)",
    "Links.Attributes": "Array(Map(LowCardinality(String), String))",
}
"""The exporter's traces columns as ``system.columns`` lists them (Nested flattened)."""

SPAN_KIND = "SPAN_KIND_INTERNAL"
STATUS_UNSET = "STATUS_CODE_UNSET"
STATUS_ERROR = "STATUS_CODE_ERROR"
_NS_PER_MS = 1_000_000


_TRACES_TABLE_DDL = """CREATE TABLE IF NOT EXISTS {table} (
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    ParentSpanId String CODEC(ZSTD(1)),
    TraceState String CODEC(ZSTD(1)),
    SpanName LowCardinality(String) CODEC(ZSTD(1)),
    SpanKind LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion String CODEC(ZSTD(1)),
    SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    Duration UInt64 CODEC(ZSTD(1)),
    StatusCode LowCardinality(String) CODEC(ZSTD(1)),
    StatusMessage String CODEC(ZSTD(1)),
    Events Nested (
        Timestamp DateTime64(9),
        Name LowCardinality(String),
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    Links Nested (
        TraceId String,
        SpanId String,
        TraceState String,
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_duration Duration TYPE minmax GRANULARITY 1
) ENGINE = MergeTree
PARTITION BY toDate(Timestamp)
ORDER BY (ServiceName, SpanName, toDateTime(Timestamp))
TTL toDateTime(Timestamp) + toIntervalDay({ttl_days})
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1"""


def traces_table_ddl(database: str, ttl_days: int, table: str = TRACES_TABLE) -> str:
    """The exporter's ``CREATE TABLE IF NOT EXISTS`` for its traces table, with its TTL."""
    return _TRACES_TABLE_DDL.format(table=f"{database}.{table}", ttl_days=int(ttl_days))


def hex_id(text: str, size: int) -> str:
    """A stable id of ``size`` bytes (hex) for ``text``: the same page view, the same trace."""
    return hashlib.blake2b(text.encode(), digest_size=size).hexdigest()


def span_name_and_component(row: dict[str, Any]) -> tuple[str, str]:
    """What the browser SDK calls this event, or ('', '') for rows that are no span."""
    attributes = row["LogAttributes"]
    event = row["EventName"]
    if event == PAGE_VIEW:
        return "documentLoad", "document-load"
    if event == WEB_VITAL:
        metric = attributes.get(METRIC_NAME, "")
        return metric, "user-interaction" if metric == "INP" else "web-vitals"
    if event == ERROR_EVENT:
        return attributes.get(ERROR_TYPE) or "error", "error"
    return "", ""


def span_for(row: dict[str, Any]) -> dict[str, Any] | None:
    """One log row (the exporter's columns) → one span row, or None (custom events)."""
    name, component = span_name_and_component(row)
    if not name:
        return None
    attributes: dict[str, str] = row["LogAttributes"]
    page_view = attributes.get(PAGE_VIEW_ID, "")
    document_span = hex_id(f"documentLoad {page_view}", 8)
    is_document = component == "document-load"
    span_attributes = {
        **attributes,
        "component": component,
        "location.href": attributes.get(PAGE_URL, ""),
    }
    status, message, duration_ns = STATUS_UNSET, "", 0
    if component == "error":
        status = STATUS_ERROR
        message = attributes.get(ERROR_MESSAGE, "")
        span_attributes["error.message"] = span_attributes["message"] = message
    elif component == "user-interaction":
        value = float(attributes.get(METRIC_VALUE) or 0)
        duration_ns = max(int(value * _NS_PER_MS), 0)
    own_key = attributes.get(METRIC_ID) or f"{name} {row['Timestamp']} {row['Body']}"
    return {
        "Timestamp": row["Timestamp"] - duration_ns,
        "TraceId": row["TraceId"] or hex_id(f"trace {page_view}", 16),
        "SpanId": document_span if is_document else hex_id(f"{page_view} {own_key}", 8),
        "ParentSpanId": row["SpanId"] if is_document else document_span,
        "TraceState": "",
        "SpanName": name,
        "SpanKind": SPAN_KIND,
        "ServiceName": row["ServiceName"],
        "ResourceAttributes": row["ResourceAttributes"],
        "ScopeName": row["ScopeName"],
        "ScopeVersion": row["ScopeVersion"],
        "SpanAttributes": span_attributes,
        "Duration": duration_ns,
        "StatusCode": status,
        "StatusMessage": message,
    }


EMPTY_NESTED = (
    "Events.Timestamp",
    "Events.Name",
    "Events.Attributes",
    "Links.TraceId",
    "Links.SpanId",
    "Links.TraceState",
    "Links.Attributes",
)

_encoder = msgspec.json.Encoder()


def span_columns(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Log rows (column lists) → span rows (column lists); rows that are no span are left out."""
    names = list(columns)
    spans = [
        span
        for values in zip(*columns.values(), strict=True)
        if (span := span_for(dict(zip(names, values, strict=True)))) is not None
    ]
    out: dict[str, list[Any]] = {name: [] for name in TRACES_COLUMNS if name not in EMPTY_NESTED}
    for span in spans:
        for name, column in out.items():
            column.append(span[name])
    for name in EMPTY_NESTED:
        out[name] = [[] for _ in spans]
    return out


def ensure_traces_table(store: Store, table: str = TRACES_TABLE) -> None:
    """Create the traces table if missing; refuse one (an older exporter's) lacking a column."""
    database = store.settings.database
    store.command(traces_table_ddl(database, store.settings.ttl_days, table))
    rows = store.query(
        "SELECT name FROM system.columns WHERE database = {db:String} AND table = {table:String}",
        {"db": database, "table": table},
    )
    missing = [name for name in TRACES_COLUMNS if name not in {row[0] for row in rows}]
    if missing:
        raise StoreError(
            f"table {database}.{table} exists without the columns {', '.join(missing)} that the "
            "spans sink writes (an older exporter made it): add them, or drop --sink spans"
        )


class SpanSink:
    """Inserts the spans of each batch into ``<database>.otel_traces`` (created if missing)."""

    name = "spans"

    def __init__(self, store: Store, table: str = TRACES_TABLE) -> None:
        self._store = store
        self._table = f"{store.settings.database}.{table}"
        ensure_traces_table(store, table)

    def write(self, columns: dict[str, list[Any]], dedup_token: str = "") -> None:
        """Insert the spans; the segment's token makes a replay a no-op where the table
        deduplicates (Replicated tables)."""
        spans = span_columns(columns)
        if not spans["Timestamp"]:
            return
        values = [
            [decimal_seconds(ns) for ns in column] if name == "Timestamp" else column
            for name, column in spans.items()
        ]
        settings = dedup_settings(dedup_token) if dedup_token else None
        payload = _encoder.encode(values)
        self._store.insert_raw(self._table, list(spans), payload, "JSONCompactColumns", settings)

    def table_answers(self) -> bool:
        return self._store.table_exists(self._table)
