"""Batch → OpenTelemetry log rows (storage.md), as column lists ready for one insert.

Pure: everything that is the same for the whole batch (page context, User-Agent,
route, resource attributes) is computed once; each event then adds only its own
keys. Every Map value is a ``str`` — clickhouse-connect turns a numeric 0 into ''.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

from rum_server import contract as c
from rum_server.fingerprint import identify_error
from rum_server.symbolicate import StackSymbolicator
from rum_server.transform.cardinality import LabelGuard
from rum_server.transform.enrich.clock import clock_skew_ns, event_time_ns
from rum_server.transform.enrich.route import collapse_path, route_for
from rum_server.transform.enrich.user_agent import ClientInfo
from rum_server.transform.rating import format_value, rating, vital_body
from rum_server.transform.redact import (
    RedactionPolicy,
    clean_id,
    clean_user_hash,
    redact_key,
    redact_message,
    redact_referrer,
    redact_stack,
    redact_url,
)
from rum_server.transform.redact import redact_text as redact_text_uncached
from rum_server.transform.wire import (
    CustomEvent,
    Envelope,
    Error,
    Event,
    PageView,
    Resources,
    WebVital,
)

ROW_COLUMNS = tuple(c.EXPORTER_COLUMNS)
"""The columns each row fills, in order: exactly the exporter's."""
# Messages, labels and stacks repeat across visitors (the same error on every page view):
# redacting each distinct string once per process takes the regex work off the hot path.
redact_text = functools.lru_cache(maxsize=8192)(redact_text_uncached)
redact_stack_cached = functools.lru_cache(maxsize=2048)(redact_stack)
redact_message_cached = functools.lru_cache(maxsize=8192)(redact_message)
redact_key_cached = functools.lru_cache(maxsize=4096)(redact_key)
clean_id_cached = functools.lru_cache(maxsize=4096)(clean_id)
_VIEWPORT = re.compile(r"[0-9]{1,5}x[0-9]{1,5}")
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
_MAX_BODY = 512
_PUBLIC_SUFFIXES = PublicSuffixList()
"""The Public Suffix List the package ships (no network): registrable domains of hosts."""


@dataclass(frozen=True, slots=True)
class BatchContext:
    """What the server knows about the request besides the body."""

    received_ns: int
    client: ClientInfo
    country: str = ""


class EventRejected(ValueError):
    """One event breaks a rule msgspec cannot express (for example CLS above 100)."""


class Columns:
    """Column-oriented rows: one list per column, appended to event by event."""

    __slots__ = ("count", "data")

    def __init__(self) -> None:
        self.data: dict[str, list[Any]] = {name: [] for name in ROW_COLUMNS}
        self.count = 0

    def extend(self, other: Columns) -> None:
        for name, values in other.data.items():
            self.data[name].extend(values)
        self.count += other.count


class BatchRows:
    """Builds rows for one batch: the shared part once, then one row per event."""

    def __init__(
        self,
        envelope: Envelope,
        context: BatchContext,
        policy: RedactionPolicy,
        labels: LabelGuard,
        symbolicator: StackSymbolicator | None = None,
    ) -> None:
        self.columns = Columns()
        self._symbolicator = symbolicator
        self._labels = labels
        self._policy = policy
        self._received_ns = context.received_ns
        self._skew_ns = clock_skew_ns(envelope.st, context.received_ns)
        self._site = envelope.site
        page_url = redact_url(envelope.url, policy)
        self._route = route_for(redact_text(envelope.route, policy=policy), page_url)
        self._scope_version = redact_text(envelope.sv, policy=policy)
        self._trace_id, self._span_id, self._trace_flags = parse_traceparent(envelope.tp)
        self._resource = {
            c.SERVICE_NAME: envelope.site,
            c.SERVICE_VERSION: redact_text(envelope.ver, policy=policy),
            c.DEPLOYMENT_ENVIRONMENT: redact_text(envelope.env, policy=policy),
            # ClickStack/HyperDX filter environments by the older key: write both.
            c.DEPLOYMENT_ENVIRONMENT_LEGACY: redact_text(envelope.env, policy=policy),
            c.RESOURCE_SESSION_ID: clean_id_cached(envelope.sid),
        }
        self._base = shared_attributes(envelope, context, self._route, page_url, policy)
        self._page_host = urlsplit(envelope.url).hostname or ""

    def add(self, event: Event) -> None:
        """Append the row for one decoded event; raises :class:`EventRejected`."""
        attributes = dict(self._base)
        if isinstance(event, WebVital):
            body = vital_attributes(event, self._route, attributes, self._policy)
            self._append(event.ts, c.WEB_VITAL, c.INFO, body, attributes)
        elif isinstance(event, Error):
            message = error_attributes(event, attributes, self._policy)
            stack, release = attributes[c.ERROR_STACK], self._resource[c.SERVICE_VERSION]
            symbolicator = self._symbolicator
            identify_error(
                attributes, symbolicator(stack, self._site, release) if symbolicator else None
            )
            self._append(event.ts, c.ERROR_EVENT, c.ERROR, message, attributes)
        elif isinstance(event, PageView):
            self._append(event.ts, c.PAGE_VIEW, c.INFO, self._route, attributes)
        elif isinstance(event, CustomEvent):
            custom_event_attributes(event, attributes, self._site, self._labels, self._policy)
            self._append(event.ts, c.CUSTOM_EVENT, c.INFO, attributes[c.EVENT_NAME], attributes)
        elif isinstance(event, Resources):
            body = resources_attributes(event, attributes, self._page_host, self._policy)
            self._append(event.ts, c.RESOURCES_EVENT, c.INFO, body, attributes)

    def _append(
        self,
        event_ms: float,
        event_name: str,
        severity: c.Severity,
        body: str,
        attributes: dict[str, str],
    ) -> None:
        """Only what differs per event; the batch's constants are filled in by ``finish``."""
        data = self.columns.data
        data["Timestamp"].append(event_time_ns(event_ms, self._skew_ns, self._received_ns))
        data["SeverityText"].append(severity.text)
        data["SeverityNumber"].append(severity.number)
        data["Body"].append(body[:_MAX_BODY])
        data["LogAttributes"].append(attributes)
        data["EventName"].append(event_name)
        self.columns.count += 1

    def finish(self) -> Columns:
        """The rows, with the columns that are the same for the whole batch filled in."""
        count = self.columns.count
        data = self.columns.data
        constants = {
            "TraceId": self._trace_id,
            "SpanId": self._span_id,
            "TraceFlags": self._trace_flags,
            "ServiceName": self._site,
            "ResourceSchemaUrl": "",
            "ResourceAttributes": self._resource,
            "ScopeSchemaUrl": "",
            "ScopeName": c.SCOPE_NAME,
            "ScopeVersion": self._scope_version,
            "ScopeAttributes": {},
        }
        for name, value in constants.items():
            data[name].extend([value] * (count - len(data[name])))
        return self.columns


def shared_attributes(
    envelope: Envelope,
    context: BatchContext,
    route: str,
    page_url: str,
    policy: RedactionPolicy,
) -> dict[str, str]:
    """LogAttributes that every row of the batch carries (storage.md, "On every row")."""
    client = context.client
    attributes = {
        c.ROUTE: route,
        c.PAGE_URL: page_url,
        c.PAGE_VIEW_ID: clean_id_cached(envelope.pv),
        c.SESSION_ID: clean_id_cached(envelope.sid),
        c.NAVIGATION_TYPE: envelope.nav,
        c.SAMPLE_RATE: format_value(envelope.rate),
        c.BROWSER_NAME: client.browser_name,
        c.BROWSER_VERSION: client.browser_version,
        c.OS_NAME: client.os_name,
        c.OS_VERSION: client.os_version,
        c.DEVICE_TYPE: client.device_type,
    }
    optional = {
        c.REQUEST_ID: redact_text(envelope.rid, policy=policy),
        c.CF_RAY: redact_text(envelope.ray, policy=policy),
        c.CONNECTION_TYPE: redact_text(envelope.conn, policy=policy),
        c.REFERRER: redact_referrer(envelope.ref) if envelope.ref else "",
        c.VIEWPORT: envelope.vp if _VIEWPORT.fullmatch(envelope.vp) else "",
        c.COUNTRY: context.country,
        c.USER_HASH: clean_user_hash(envelope.uh),
    }
    attributes.update({key: value for key, value in optional.items() if value})
    return attributes


def vital_attributes(
    event: WebVital, route: str, attributes: dict[str, str], policy: RedactionPolicy
) -> str:
    """Adds the ``rum.metric.*`` keys and returns the Body summary."""
    if event.name == "CLS" and event.v > c.MAX_CLS:
        raise EventRejected(f"CLS {event.v} is above {c.MAX_CLS:g}")
    value = format_value(event.v)
    grade = rating(event.name, event.v)
    attributes[c.METRIC_NAME] = event.name
    attributes[c.METRIC_VALUE] = value
    attributes[c.METRIC_DELTA] = format_value(event.v if event.d is None else event.d)
    attributes[c.METRIC_RATING] = grade
    attributes[c.METRIC_ID] = clean_id_cached(event.id)
    for raw_key, raw in (event.attr or {}).items():
        if key := redact_key_cached(raw_key):
            clean = (
                redact_url(raw, policy) if key.endswith("url") else redact_text(raw, policy=policy)
            )
            attributes[c.ATTRIBUTION_PREFIX + key] = clean
    return vital_body(event.name, value, grade, route)


def error_attributes(event: Error, attributes: dict[str, str], policy: RedactionPolicy) -> str:
    """Adds the ``rum.error.*`` keys but the fingerprint (``identify_error`` adds it, after
    symbolication) and returns the redacted message (the Body)."""
    message = redact_message_cached(event.msg, policy)
    file = redact_url(event.file, policy) if event.file else ""
    attributes[c.ERROR_TYPE] = redact_text(event.type, policy=policy)
    attributes[c.ERROR_MESSAGE] = message
    attributes[c.ERROR_STACK] = redact_stack_cached(event.stack, policy) if event.stack else ""
    attributes[c.ERROR_COUNT] = str(event.n)
    attributes[c.ERROR_SOURCE] = event.src
    attributes[c.ERROR_FILE] = file
    attributes[c.ERROR_LINE] = str(event.line)
    attributes[c.ERROR_COLUMN] = str(event.col)

    return message


def custom_event_attributes(
    event: CustomEvent,
    attributes: dict[str, str],
    site: str,
    labels: LabelGuard,
    policy: RedactionPolicy,
) -> None:
    """Adds ``rum.event.*`` keys: labels bounded in length and cardinality, attrs free."""
    name = attributes[c.EVENT_NAME] = redact_text(event.name, policy=policy)
    for raw_key, value in (event.labels or {}).items():
        if key := redact_key_cached(raw_key):
            label = labels.admit(site, name, key, redact_text(value, policy=policy)[:64])
            attributes[c.EVENT_LABEL_PREFIX + key] = label
    for raw_key, value in (event.attrs or {}).items():
        if key := redact_key_cached(raw_key):
            attributes[c.EVENT_ATTR_PREFIX + key] = redact_text(value, policy=policy)


# The resource-timing rollup (wire event `resources`, docs/wire.md): keys the browser sends
# (initiator types, content types, hosts) are kept only in a strict alphabet.
_INITIATOR = re.compile(r"[a-z][a-z0-9-]{0,31}")
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]{0,39}/[a-z0-9][a-z0-9.+-]{0,59}")
_HOST = re.compile(r"(?=.{1,253}$)[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})*")
RESOURCES = c.RESOURCES_PREFIX
"""Every key of a ``rum.resources`` row starts with this (docs/storage.md lists them)."""


@functools.lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """The registrable domain of a host (``img.shop.com.br`` → ``shop.com.br``), from the
    Public Suffix List; an IP address or a bare suffix stays whole."""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        return _PUBLIC_SUFFIXES.privatesuffix(host) or host


def resources_attributes(
    event: Resources, attributes: dict[str, str], page_host: str, policy: RedactionPolicy
) -> str:
    """Adds the ``rum.resources.*`` keys and returns the Body summary.

    Third parties are hosts whose registrable domain differs from the page's; their
    requests and bytes are summed from the hosts the snippet sent (its first 16 other
    hosts). The slowest URLs (query already dropped by the snippet) are cut and redacted
    like any URL.
    """
    n = event.n
    site = registrable_domain(page_host.lower())
    counts = {
        "count": n,
        "transfer_bytes": event.b,
        "cache_hits": event.c,
        "render_blocking": event.rb,
    }
    by_initiator: dict[str, tuple[int, int]] = {}
    for key, cell in (event.i or {}).items():
        _add_cell(by_initiator, key if _INITIATOR.fullmatch(key) else "other", cell)
    by_type: dict[str, tuple[int, int]] = {}
    for key, cell in (event.ct or {}).items():
        _add_cell(by_type, key.lower() if _CONTENT_TYPE.fullmatch(key.lower()) else "unknown", cell)
    third_party: dict[str, tuple[int, int]] = {}
    for key, cell in (event.h or {}).items():
        host = key.lower()
        if _HOST.fullmatch(host) and registrable_domain(host) != site:
            _add_cell(third_party, registrable_domain(host), cell)
    third_count = sum(count for count, _ in third_party.values())
    third_bytes = sum(size for _, size in third_party.values())
    counts["third_party.count"] = third_count
    counts["third_party.transfer_bytes"] = third_bytes
    for key, value in counts.items():
        attributes[RESOURCES + key] = str(value)
    attributes[RESOURCES + "cache_hit_share"] = format_value(event.c / n if n else 0)
    attributes[RESOURCES + "third_party_share"] = format_value(third_count / n if n else 0)
    for prefix, cells in (
        ("initiator.", by_initiator),
        ("content_type.", by_type),
        ("third_party.host.", third_party),
    ):
        for key, (count, size) in cells.items():
            attributes[f"{RESOURCES}{prefix}{key}.count"] = str(count)
            attributes[f"{RESOURCES}{prefix}{key}.transfer_bytes"] = str(size)
    slowest = sorted(event.s or [], key=lambda item: -item[1])[:5]
    for rank, (url, duration) in enumerate(slowest, 1):
        attributes[f"{RESOURCES}slowest.{rank}.url"] = slow_resource_url(url, policy)
        attributes[f"{RESOURCES}slowest.{rank}.duration"] = format_value(round(duration, 1))
    return f"{n} requests, {event.b} B transferred"


def slow_resource_url(url: str, policy: RedactionPolicy) -> str:
    """Origin and path of a slow resource: redacted like any URL, ids collapsed like a route
    (``/orders/123456/receipt.png`` → ``/orders/:id/receipt.png``), no query or fragment."""
    clean = redact_url(url[:2048], policy)
    try:
        parts = urlsplit(clean)
    except ValueError:
        return clean
    return f"{parts.scheme}://{parts.netloc}{collapse_path(parts.path)}" if parts.scheme else clean


def _add_cell(cells: dict[str, tuple[int, int]], key: str, cell: tuple[int, int]) -> None:
    count, size = cells.get(key, (0, 0))
    cells[key] = (count + cell[0], size + cell[1])


def parse_traceparent(traceparent: str) -> tuple[str, str, int]:
    """(TraceId, SpanId, TraceFlags) from a W3C traceparent; empty when absent or invalid."""
    match = _TRACEPARENT.fullmatch(traceparent.strip().lower()) if traceparent else None
    if match is None:
        return "", "", 0
    version, trace_id, span_id, flags = match.groups()
    if version == "ff" or set(trace_id) == {"0"} or set(span_id) == {"0"}:
        return "", "", 0
    return trace_id, span_id, int(flags, 16)
