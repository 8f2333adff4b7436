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
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

from rum_server.contract import (
    ATTRIBUTION_PREFIX,
    BROWSER_NAME,
    BROWSER_VERSION,
    CF_RAY,
    CONNECTION_TYPE,
    COUNTRY,
    CUSTOM_EVENT,
    DEVICE_TYPE,
    ERROR_COLUMN,
    ERROR_COUNT,
    ERROR_EVENT,
    ERROR_FILE,
    ERROR_LINE,
    ERROR_MESSAGE,
    ERROR_SOURCE,
    ERROR_STACK,
    ERROR_TYPE,
    EVENT_ATTR_PREFIX,
    EVENT_LABEL_PREFIX,
    EVENT_NAME,
    EXPORTER_COLUMNS,
    MAX_CLS,
    METRIC_DELTA,
    METRIC_ID,
    METRIC_NAME,
    METRIC_RATING,
    METRIC_VALUE,
    NAVIGATION_TYPE,
    OS_NAME,
    OS_VERSION,
    PAGE_URL,
    PAGE_VIEW,
    PAGE_VIEW_ID,
    RATINGS,
    REFERRER,
    REQUEST_ID,
    RESOURCE_SESSION_ID,
    RESOURCES_EVENT,
    RESOURCES_PREFIX,
    ROUTE,
    SAMPLE_RATE,
    SESSION_ID,
    USER_HASH,
    VIEWPORT,
    WEB_VITAL,
)
from rum_server.transform.clock import clock_skew_ns, event_time_ns
from rum_server.transform.fingerprint import identify_error
from rum_server.transform.label_budget import LabelBudget, utc_day
from rum_server.transform.labels import (
    MAX_ATTRIBUTES,
    MAX_LABELS,
    LabelStats,
    is_event_name,
    label_refusal,
)
from rum_server.transform.limits import NS_PER_DAY, RowLimits
from rum_server.transform.rating import THRESHOLDS, format_value, rating
from rum_server.transform.redact import (
    OVERFLOW,
    Redacted,
    RedactionPolicy,
    checked,
    clean_id,
    clean_user_hash,
    joined,
    redact_key,
    redact_message,
    redact_referrer,
    redact_stack,
    redact_url,
)
from rum_server.transform.redact import redact_text as redact_text_uncached
from rum_server.transform.route import collapse_path, route_for
from rum_server.transform.symbolicate import StackSymbolicator
from rum_server.transform.user_agent import ClientInfo
from rum_server.transform.wire import (
    CustomEvent,
    Envelope,
    Error,
    Event,
    PageView,
    Resources,
    WebVital,
)

SCOPE_NAME = "deco.rum"
ROW_COLUMNS = tuple(EXPORTER_COLUMNS)
"""The columns each row fills, in order: exactly the exporter's."""
# Messages, labels and stacks repeat across visitors (the same error on every page view):
# redacting each distinct string once per process takes the regex work off the hot path.
redact_text = functools.lru_cache(maxsize=8192)(redact_text_uncached)
redact_stack_cached = functools.lru_cache(maxsize=2048)(redact_stack)
redact_message_cached = functools.lru_cache(maxsize=8192)(redact_message)
redact_key_cached = functools.lru_cache(maxsize=4096)(redact_key)
clean_id_cached = functools.lru_cache(maxsize=4096)(clean_id)
"""Page-view and session ids: every beacon of a page view repeats them. Metric ids are
unique per report, so they go to ``clean_id`` uncached."""
redact_referrer_cached = functools.lru_cache(maxsize=1024)(redact_referrer)
label_refusal_cached = functools.lru_cache(maxsize=4096)(label_refusal)
route_for_cached = functools.lru_cache(maxsize=4096)(route_for)
_CACHED_URL_MAX_LENGTH = 512
"""Routes and page hosts are cached only for URLs up to this long: every cache here holds
at most a few MB whatever clients send."""
_METRIC_NAMES = {name: checked(name) for name in THRESHOLDS}
_GRADES = {grade: checked(grade) for grade in RATINGS}
_VIEWPORT = re.compile(r"[0-9]{1,5}x[0-9]{1,5}")
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
_MAX_BODY = 512
_MS = checked("ms")
OUTSIDE_RETENTION = "outside retention"
_PUBLIC_SUFFIXES = PublicSuffixList()
"""The Public Suffix List the package ships (no network): registrable domains of hosts."""

Attributes = dict[str, Redacted]
"""LogAttributes as the row builder fills them: every value redacted (redact.Redacted), so
``mypy --strict`` refuses a client string that skips the redactor."""


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

    __slots__ = ("count", "data", "shared")

    def __init__(self) -> None:
        self.data: dict[str, list[Any]] = {name: [] for name in ROW_COLUMNS}
        self.count = 0
        self.shared: Attributes = {}
        """LogAttributes every row also has: kept once per batch, merged in by ``merged()``."""

    def merged(self) -> dict[str, list[Any]]:
        """The columns with each row's LogAttributes complete (what the table stores)."""
        if not self.shared:
            return self.data
        full = [{**self.shared, **own} for own in self.data["LogAttributes"]]
        return {**self.data, "LogAttributes": full}


class BatchRows:
    """Builds rows for one batch: the shared part once, then one row per event."""

    def __init__(
        self,
        envelope: Envelope,
        context: BatchContext,
        policy: RedactionPolicy,
        labels: LabelBudget | None = None,
        label_stats: LabelStats | None = None,
        limits: RowLimits | None = None,
        symbolicator: StackSymbolicator | None = None,
    ) -> None:
        self.columns = Columns()
        self._rows: list[tuple[int, str, int, str, Attributes, str]] = []
        """Each event's own columns (PER_EVENT order), turned into columns by ``finish``."""
        self._symbolicator = symbolicator
        self._labels = labels or LabelBudget()
        self._label_stats = label_stats or LabelStats()
        self._limits = limits = limits or RowLimits()
        self._policy = policy
        self._received_ns = received_ns = context.received_ns
        self._skew_ns = clock_skew_ns(envelope.st, received_ns)
        self._oldest_ns = (
            received_ns - limits.retention_days * NS_PER_DAY if limits.retention_days else -1
        )
        """Rows older than this are outside retention (``RowLimits.outside_retention``);
        -1 when there is none, since a row's time is never negative."""
        self._event_labels: dict[int, EventLabels] = {}
        self._site = envelope.site
        self._page_url = envelope.url
        self._page_host: str | None = None
        """Only a resources row needs it; a URL that ``urlsplit`` refuses (a bracket or a
        non-ASCII host) still fails the batch here, as it always did."""
        if not envelope.url.isascii() or "[" in envelope.url or "]" in envelope.url:
            self._page_host = page_host(envelope.url)
        page_url = redact_url(envelope.url, policy)
        # The route is cut from redacted text and bounded per site and day (limits.py);
        # redacting its result again is a cached no-op.
        find_route = route_for_cached if len(page_url) <= _CACHED_URL_MAX_LENGTH else route_for
        route = find_route(redact_text(envelope.route, policy=policy), page_url)
        self._route = redact_text(limits.route(envelope.site, received_ns, route))
        self._scope_version = redact_text(envelope.sv)
        self._trace_id, self._span_id, self._trace_flags = parse_traceparent(envelope.tp)
        environment = redact_text(envelope.env)
        self._resource: Attributes = {
            "service.name": checked(envelope.site),
            "service.version": redact_text(envelope.ver),
            "deployment.environment.name": environment,
            # ClickStack/HyperDX filter environments by the older key: write both.
            "deployment.environment": environment,
            RESOURCE_SESSION_ID: clean_id_cached(envelope.sid),
        }
        self._base = shared_attributes(envelope, context, self._route, page_url)

    def add(self, event: Event) -> None:
        """Append the row for one decoded event; raises :class:`EventRejected`."""
        attributes: Attributes = {}  # the event's own keys; the shared ones go in once
        time_ns = event_time_ns(event.ts, self._skew_ns, self._received_ns)
        if isinstance(event, WebVital):
            body = vital_attributes(event, self._route, attributes, self._policy)
            self._append(time_ns, WEB_VITAL, "INFO", 9, body, attributes)
        elif isinstance(event, CustomEvent):
            labels = self._labels_on(time_ns)
            custom_event_attributes(event, attributes, labels)
            name = attributes[EVENT_NAME]  # checked(event.name)
            self._append(time_ns, CUSTOM_EVENT, "INFO", 9, name, attributes)
        elif isinstance(event, PageView):
            self._append(time_ns, PAGE_VIEW, "INFO", 9, self._route, attributes)
        elif isinstance(event, Error):
            message = error_attributes(event, attributes, self._policy)
            stack, release = attributes[ERROR_STACK], self._resource["service.version"]
            symbolicator = self._symbolicator
            identify_error(
                attributes, symbolicator(stack, self._site, release) if symbolicator else None
            )
            self._append(time_ns, ERROR_EVENT, "ERROR", 17, message, attributes)
        elif isinstance(event, Resources):
            if self._page_host is None:
                self._page_host = page_host(self._page_url)
            body = resources_attributes(event, attributes, self._page_host, self._policy)
            self._append(time_ns, RESOURCES_EVENT, "INFO", 9, body, attributes)

    def _labels_on(self, time_ns: int) -> EventLabels:
        """Where a custom event's labels are judged: its UTC day (one lookup per day)."""
        day_number = time_ns // NS_PER_DAY
        labels = self._event_labels.get(day_number)
        if labels is None:
            labels = EventLabels(self._site, utc_day(time_ns), self._labels, self._label_stats)
            self._event_labels[day_number] = labels
        return labels

    def _append(
        self,
        time_ns: int,
        event_name: str,
        severity_text: str,
        severity_number: int,
        body: Redacted,
        attributes: Attributes,
    ) -> None:
        """Only what differs per event; the batch's constants are filled in by ``finish``."""
        if time_ns < self._oldest_ns:
            raise EventRejected(
                f"{OUTSIDE_RETENTION}: older than {self._limits.retention_days} days"
            )
        self._rows.append(
            (time_ns, severity_text, severity_number, body[:_MAX_BODY], attributes, event_name)
        )
        self.columns.count += 1

    def finish(self) -> Columns:
        """The rows, with the columns that are the same for the whole batch filled in."""
        count = self.columns.count
        data = self.columns.data
        if self._rows:
            for name, values in zip(_PER_EVENT, zip(*self._rows, strict=True), strict=True):
                data[name].extend(values)
            self._rows = []
        constants = {
            "TraceId": self._trace_id,
            "SpanId": self._span_id,
            "TraceFlags": self._trace_flags,
            "ServiceName": self._site,
            "ResourceSchemaUrl": "",
            "ResourceAttributes": self._resource,
            "ScopeSchemaUrl": "",
            "ScopeName": SCOPE_NAME,
            "ScopeVersion": self._scope_version,
            "ScopeAttributes": {},
        }
        for name, value in constants.items():
            data[name].extend([value] * (count - len(data[name])))
        self.columns.shared = self._base
        return self.columns


def page_host(url: str) -> str:
    """The page's host name (raises ``ValueError`` on a malformed IPv6 host, uncached)."""
    if len(url) <= _CACHED_URL_MAX_LENGTH:
        return _page_host_cached(url)
    return urlsplit(url).hostname or ""


@functools.lru_cache(maxsize=4096)
def _page_host_cached(url: str) -> str:
    return urlsplit(url).hostname or ""


_PER_EVENT = ("Timestamp", "SeverityText", "SeverityNumber", "Body", "LogAttributes", "EventName")
"""The columns of ``BatchRows._rows``' tuples, in their order."""


def shared_attributes(
    envelope: Envelope, context: BatchContext, route: Redacted, page_url: Redacted
) -> Attributes:
    """LogAttributes that every row of the batch carries (storage.md, "On every row")."""
    attributes = {
        ROUTE: route,
        PAGE_URL: page_url,
        PAGE_VIEW_ID: clean_id_cached(envelope.pv),
        SESSION_ID: clean_id_cached(envelope.sid),
        NAVIGATION_TYPE: checked(envelope.nav),
        SAMPLE_RATE: sample_rate_text(envelope.rate),
        **client_attributes(context.client),  # parsed from the User-Agent: client bytes too
    }
    # Optional context: an empty input gives an empty value, and empty values are left out.
    if envelope.rid and (value := redact_text(envelope.rid)):
        attributes[REQUEST_ID] = value
    if envelope.ray and (value := redact_text(envelope.ray)):
        attributes[CF_RAY] = value
    if envelope.conn and (value := redact_text(envelope.conn)):
        attributes[CONNECTION_TYPE] = value
    if envelope.ref and (value := redact_referrer_cached(envelope.ref)):
        attributes[REFERRER] = value
    if envelope.vp and (value := checked(envelope.vp, _VIEWPORT)):
        attributes[VIEWPORT] = value
    if context.country and (value := checked(context.country)):
        attributes[COUNTRY] = value
    if envelope.uh and (value := clean_user_hash(envelope.uh)):
        attributes[USER_HASH] = value
    return attributes


@functools.lru_cache(maxsize=1024)
def client_attributes(client: ClientInfo) -> Attributes:
    """The ``rum.browser.*``, ``rum.os.*`` and ``rum.device.type`` keys of one client
    (few distinct ones: the User-Agent cache in front already bounds them). Read only."""
    return {
        BROWSER_NAME: redact_text(client.browser_name),
        BROWSER_VERSION: redact_text(client.browser_version),
        OS_NAME: redact_text(client.os_name),
        OS_VERSION: redact_text(client.os_version),
        DEVICE_TYPE: checked(client.device_type),
    }


@functools.lru_cache(maxsize=256)
def sample_rate_text(rate: float) -> Redacted:
    return checked(format_value(rate))


def vital_attributes(
    event: WebVital, route: Redacted, attributes: Attributes, policy: RedactionPolicy
) -> Redacted:
    """Adds the ``rum.metric.*`` keys and returns the Body summary."""
    metric, measured = event.name, event.v
    if metric == "CLS" and measured > MAX_CLS:
        raise EventRejected(f"CLS {measured} is above {MAX_CLS:g}")
    name = _METRIC_NAMES.get(metric) or checked(metric)  # the wire's names: all known
    value = checked(format_value(measured))
    grade = _GRADES[rating(metric, measured)]
    delta = event.d
    attributes[METRIC_NAME] = name
    attributes[METRIC_VALUE] = value
    attributes[METRIC_DELTA] = (
        value if delta is None or delta == measured else checked(format_value(delta))
    )
    attributes[METRIC_RATING] = grade
    attributes[METRIC_ID] = clean_id(event.id)
    if event.attr:
        for raw_key, raw in event.attr.items():
            if key := redact_key_cached(raw_key):
                clean = redact_url(raw, policy) if key.endswith("url") else redact_text(raw)
                attributes[f"{ATTRIBUTION_PREFIX}{key}"] = clean
    if metric == "CLS":
        return joined(name, value, grade, route)
    return joined(name, value, _MS, grade, route)


def error_attributes(event: Error, attributes: Attributes, policy: RedactionPolicy) -> Redacted:
    """Adds the ``rum.error.*`` keys but the fingerprint (``identify_error`` adds it, after
    symbolication) and returns the redacted message (the Body)."""
    message = redact_message_cached(event.msg, policy)
    file = redact_url(event.file, policy)
    attributes[ERROR_TYPE] = redact_text(event.type)
    attributes[ERROR_MESSAGE] = message
    attributes[ERROR_STACK] = redact_stack_cached(event.stack, policy)
    attributes[ERROR_COUNT] = checked(str(event.n))
    attributes[ERROR_SOURCE] = checked(event.src)
    attributes[ERROR_FILE] = file
    attributes[ERROR_LINE] = checked(str(event.line))
    attributes[ERROR_COLUMN] = checked(str(event.col))
    return message


@dataclass(frozen=True, slots=True)
class EventLabels:
    """Where a custom event's labels are judged: its site and UTC day, the shared budget
    and the refusal counters."""

    site: str
    day: date
    budget: LabelBudget
    stats: LabelStats


def custom_event_attributes(
    event: CustomEvent, attributes: Attributes, labels: EventLabels
) -> None:
    """Adds ``rum.event.*`` keys; raises :class:`EventRejected` for a bad event name.

    At most 4 labels, each a value that does not look like an identifier (labels.py) and
    within the daily budget (label_budget.py); a refused or over-budget label is kept as
    an attribute while the event has room for one (16), and counted either way.
    """
    if not is_event_name(event.name):
        labels.stats.rejected_name()
        raise EventRejected(f"event name {event.name!r} does not match ^[a-z][a-z0-9_]{{0,39}}$")
    name = attributes[EVENT_NAME] = checked(event.name)
    for raw_key, value in (event.attrs or {}).items():
        if key := redact_key_cached(raw_key):
            attributes[f"{EVENT_ATTR_PREFIX}{key}"] = redact_text(value)
    room = MAX_ATTRIBUTES - len(event.attrs or {})
    kept = 0
    for raw_key, value in (event.labels or {}).items():
        key = redact_key_cached(raw_key)
        if not key:
            labels.stats.refused("bad_key")
            continue
        reason = "too_many" if kept >= MAX_LABELS else label_refusal_cached(value)
        admitted = OVERFLOW
        if reason:
            labels.stats.refused(reason)
        else:
            kept += 1
            admitted = labels.budget.admit(labels.day, labels.site, name, key, redact_text(value))
            attributes[f"{EVENT_LABEL_PREFIX}{key}"] = admitted
            if admitted == OVERFLOW:
                labels.stats.overflowed()
        attribute = f"{EVENT_ATTR_PREFIX}{key}"
        if admitted == OVERFLOW and room > 0 and attribute not in attributes:
            attributes[attribute] = redact_text(value)
            room -= 1


# The resource-timing rollup (wire event `resources`, docs/wire.md): keys the browser sends
# (initiator types, content types, hosts) are kept only in a strict alphabet.
_INITIATOR = re.compile(r"[a-z][a-z0-9-]{0,31}")
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]{0,39}/[a-z0-9][a-z0-9.+-]{0,59}")
_HOST = re.compile(r"(?=.{1,253}$)[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})*")
_RESOURCES_BODY = re.compile(r"\d+ requests, \d+ B transferred")
RESOURCES = RESOURCES_PREFIX
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
    event: Resources, attributes: Attributes, page_host: str, policy: RedactionPolicy
) -> Redacted:
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
        attributes[RESOURCES + key] = checked(str(value))
    attributes[RESOURCES + "cache_hit_share"] = checked(format_value(event.c / n if n else 0))
    attributes[RESOURCES + "third_party_share"] = checked(format_value(third_count / n if n else 0))
    for prefix, cells in (
        ("initiator.", by_initiator),
        ("content_type.", by_type),
        ("third_party.host.", third_party),
    ):
        for key, (count, size) in cells.items():
            attributes[f"{RESOURCES}{prefix}{key}.count"] = checked(str(count))
            attributes[f"{RESOURCES}{prefix}{key}.transfer_bytes"] = checked(str(size))
    slowest = sorted(event.s or [], key=lambda item: -item[1])[:5]
    for rank, (url, duration) in enumerate(slowest, 1):
        attributes[f"{RESOURCES}slowest.{rank}.url"] = slow_resource_url(url, policy)
        attributes[f"{RESOURCES}slowest.{rank}.duration"] = checked(
            format_value(round(duration, 1))
        )
    return checked(f"{n} requests, {event.b} B transferred", _RESOURCES_BODY)


def slow_resource_url(url: str, policy: RedactionPolicy) -> Redacted:
    """Origin and path of a slow resource: redacted like any URL, ids collapsed like a route
    (``/orders/123456/receipt.png`` → ``/orders/:id/receipt.png``), no query or fragment."""
    clean = redact_url(url[:2048], policy)
    try:
        parts = urlsplit(clean)
    except ValueError:
        return clean
    if not parts.scheme:
        return clean
    return redact_url(f"{parts.scheme}://{parts.netloc}{collapse_path(parts.path)}", policy)


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
