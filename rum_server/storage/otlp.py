"""The OTLP sink: the same rows, sent as OTLP/HTTP logs to any OpenTelemetry backend.

Each row becomes one ``LogRecord`` (protobuf from ``opentelemetry-proto``, the
specification's own generated classes), grouped under its resource and scope, so
a Collector's ``clickhouseexporter`` writing them into ClickHouse produces the
very rows ``ClickHouseSink`` writes: ``ResourceAttributes`` ↔ resource
attributes, ``ScopeName``/``ScopeVersion`` ↔ the scope, ``LogAttributes`` ↔
attributes, ``EventName`` ↔ ``event_name``, ``TraceId``/``SpanId`` ↔ their bytes.

The request is gzipped. Failures the specification calls retryable (429, 502,
503, 504, timeouts, refused connections) raise, so the writer retries the batch
with backoff and spools it at shutdown; ``Retry-After`` is honoured (up to a
bound). A 4xx the endpoint will refuse forever is logged with its count and
dropped, so one bad batch cannot block every later one.
"""

from __future__ import annotations

import gzip
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, InstrumentationScope, KeyValue
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord, ResourceLogs, ScopeLogs
from opentelemetry.proto.resource.v1.resource_pb2 import Resource

log = logging.getLogger("rum_server.storage.otlp")

LOGS_PATH = "/v1/logs"
TIMEOUT_SECONDS = 10.0
MAX_RETRY_AFTER_SECONDS = 5.0
RETRYABLE_STATUS = {408, 429, 502, 503, 504}


class OtlpExportError(RuntimeError):
    """The endpoint did not take the batch this time; the writer retries it."""


def logs_url(endpoint: str) -> str:
    """A base URL gets ``/v1/logs`` (as ``OTEL_EXPORTER_OTLP_ENDPOINT``); a full one is kept."""
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith(LOGS_PATH) else endpoint + LOGS_PATH


def parse_headers(raw: str) -> dict[str, str]:
    """``"k1=v1,k2=v2"`` (the ``OTEL_EXPORTER_OTLP_HEADERS`` form) → a dict."""
    headers = {}
    for part in raw.split(","):
        name, sep, value = part.partition("=")
        if sep and name.strip():
            headers[name.strip()] = urllib.parse.unquote(value.strip())
    return headers


def key_values(attributes: dict[str, str]) -> list[KeyValue]:
    return [KeyValue(key=k, value=AnyValue(string_value=v)) for k, v in attributes.items()]


def hex_bytes(text: str, size: int) -> bytes:
    """A hex id as its bytes; anything else (empty, malformed) as no id."""
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        return b""
    return raw if len(raw) == size else b""


def export_request(columns: dict[str, list[Any]], observed_ns: int) -> ExportLogsServiceRequest:
    """Rows → one request: a ResourceLogs per distinct resource, a ScopeLogs per scope in it."""
    resources: dict[tuple[Any, ...], ResourceLogs] = {}
    scopes: dict[tuple[Any, ...], ScopeLogs] = {}
    for row in rows(columns):
        resource_key = (row["ResourceSchemaUrl"], tuple(sorted(row["ResourceAttributes"].items())))
        resource_logs = resources.get(resource_key)
        if resource_logs is None:
            resource_logs = resources[resource_key] = ResourceLogs(
                resource=Resource(attributes=key_values(resource_attributes(row))),
                schema_url=row["ResourceSchemaUrl"],
            )
        scope_key = (
            resource_key,
            row["ScopeName"],
            row["ScopeVersion"],
            row["ScopeSchemaUrl"],
            tuple(sorted(row["ScopeAttributes"].items())),
        )
        scope_logs = scopes.get(scope_key)
        if scope_logs is None:
            scope_logs = scopes[scope_key] = resource_logs.scope_logs.add(
                scope=InstrumentationScope(
                    name=row["ScopeName"],
                    version=row["ScopeVersion"],
                    attributes=key_values(row["ScopeAttributes"]),
                ),
                schema_url=row["ScopeSchemaUrl"],
            )
        scope_logs.log_records.append(log_record(row, observed_ns))
    return ExportLogsServiceRequest(resource_logs=list(resources.values()))


def resource_attributes(row: dict[str, Any]) -> dict[str, str]:
    """The row's resource attributes; ``service.name`` from ``ServiceName`` if absent."""
    attributes = dict(row["ResourceAttributes"])
    attributes.setdefault("service.name", row["ServiceName"])
    return attributes


def log_record(row: dict[str, Any], observed_ns: int) -> LogRecord:
    return LogRecord(
        time_unix_nano=row["Timestamp"],
        observed_time_unix_nano=observed_ns,
        severity_number=row["SeverityNumber"],
        severity_text=row["SeverityText"],
        body=AnyValue(string_value=row["Body"]),
        attributes=key_values(row["LogAttributes"]),
        trace_id=hex_bytes(row["TraceId"], 16),
        span_id=hex_bytes(row["SpanId"], 8),
        flags=row["TraceFlags"],
        event_name=row["EventName"],
    )


def rows(columns: dict[str, list[Any]]) -> Iterable[dict[str, Any]]:
    names = list(columns)
    for values in zip(*columns.values(), strict=True):
        yield dict(zip(names, values, strict=True))


class OtlpSink:
    """POSTs each batch as one gzipped protobuf ``ExportLogsServiceRequest``."""

    name = "otlp"

    def __init__(
        self,
        endpoint: str,
        headers: dict[str, str] | None = None,
        clock: Callable[[], int] = time.time_ns,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = logs_url(endpoint)
        self._headers = {
            **(headers or {}),
            "Content-Type": "application/x-protobuf",
            "Content-Encoding": "gzip",
        }
        self._clock = clock
        self._sleep = sleep
        self.dropped_rows = 0

    def write(self, columns: dict[str, list[Any]], dedup_token: str = "") -> None:
        """Send the rows (OTLP has no insert token: a replay after a crash may repeat them)."""
        count = len(columns["Timestamp"])
        body = gzip.compress(export_request(columns, self._clock()).SerializeToString(), 5)
        request = urllib.request.Request(self.url, data=body, headers=self._headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
                self._partial_success(answer.read(), answer.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as exc:
            if exc.code in RETRYABLE_STATUS:
                self._wait_retry_after(exc.headers.get("Retry-After"))
                raise OtlpExportError(f"{self.url} answered {exc.code}; will retry") from None
            self.dropped_rows += count
            log.error(
                "%s refused %d records for good (%d %s): dropped", self.url, count, exc.code,
                exc.read()[:200].decode("utf-8", "replace"),
            )  # fmt: skip
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise OtlpExportError(f"cannot reach {self.url}: {reason}") from None

    def _wait_retry_after(self, value: str | None) -> None:
        if value and value.strip().isdigit():
            self._sleep(min(float(value.strip()), MAX_RETRY_AFTER_SECONDS))

    def _partial_success(self, body: bytes, content_type: str) -> None:
        """The endpoint kept the batch but may say it rejected some records: log that."""
        if not body or "protobuf" not in content_type:
            return
        response = ExportLogsServiceResponse()
        try:
            response.ParseFromString(body)
        except Exception:  # an unreadable answer to a 2xx is still a success
            return
        rejected = response.partial_success.rejected_log_records
        if rejected:
            self.dropped_rows += rejected
            log.warning(
                "%s rejected %d records: %s", self.url, rejected,
                response.partial_success.error_message,
            )  # fmt: skip
