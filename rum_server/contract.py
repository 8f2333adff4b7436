"""The storage contract: every name the store holds, spelled once.

Event names, ``rum.*`` attribute keys, resource keys, metric names with their
web-vitals thresholds, ratings and severities live here and nowhere else; the
row builder, the schema's SQL, the rollups, the reports, the demo data and the
dashboard (through ``/__deco/rum/api/contract``) refer to these constants, the way
the OpenTelemetry Collector's exporters name semantic-convention attributes once.
``docs/storage.md`` is generated from this module (``python -m rum_server.contract``)
and a test fails when the two drift.

To add a stored attribute: add its constant and its :class:`Attribute` entry here,
then set it in one transform (``transform/rows.py``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

SCOPE_NAME = "deco.rum"
"""ScopeName of every row we write."""

EXPORTER_COLUMNS: dict[str, str] = {
    "Timestamp": "DateTime64(9)",
    "TraceId": "String",
    "SpanId": "String",
    "TraceFlags": "UInt8",
    "SeverityText": "LowCardinality(String)",
    "SeverityNumber": "UInt8",
    "ServiceName": "LowCardinality(String)",
    "Body": "String",
    "ResourceSchemaUrl": "LowCardinality(String)",
    "ResourceAttributes": "Map(LowCardinality(String), String)",
    "ScopeSchemaUrl": "LowCardinality(String)",
    "ScopeName": "String",
    "ScopeVersion": "LowCardinality(String)",
    "ScopeAttributes": "Map(LowCardinality(String), String)",
    "LogAttributes": "Map(LowCardinality(String), String)",
    "EventName": "String",
}
"""The OpenTelemetry Collector clickhouseexporter's logs columns, name -> type, in order.
Never altered by us; every row we build fills exactly these."""


# --- EventName and severity ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Severity:
    text: str
    number: int


INFO = Severity("INFO", 9)
ERROR = Severity("ERROR", 17)


@dataclass(frozen=True, slots=True)
class EventKind:
    """One kind of row: its EventName, severity and what its Body holds."""

    name: str
    severity: Severity
    what: str
    body: str


WEB_VITAL = "rum.web_vital"
ERROR_EVENT = "rum.error"
PAGE_VIEW = "rum.page_view"
CUSTOM_EVENT = "rum.event"
RESOURCES_EVENT = "rum.resources"

EVENT_KINDS = (
    EventKind(
        WEB_VITAL,
        INFO,
        "a Web Vital's final value for one page view",
        "e.g. `LCP 2315 ms good /_products/$slug/p`",
    ),
    EventKind(ERROR_EVENT, ERROR, "a distinct JS error in one page view", "the redacted message"),
    EventKind(PAGE_VIEW, INFO, "a page view", "route"),
    EventKind(CUSTOM_EVENT, INFO, "a custom event (`track`)", "event name"),
    EventKind(
        RESOURCES_EVENT,
        INFO,
        "a page view's resource-timing rollup",
        "e.g. `42 requests, 183000 B transferred`",
    ),
)


# --- ResourceAttributes --------------------------------------------------------------------

SERVICE_NAME = "service.name"
SERVICE_VERSION = "service.version"
DEPLOYMENT_ENVIRONMENT = "deployment.environment.name"
DEPLOYMENT_ENVIRONMENT_LEGACY = "deployment.environment"
"""The older semantic-convention key, which ClickStack/HyperDX filter environments by."""
RESOURCE_SESSION_ID = "rum.sessionId"
"""The session key ClickStack/HyperDX group sessions by."""


# --- LogAttributes keys --------------------------------------------------------------------

ROUTE = "rum.route"
PAGE_URL = "rum.page.url"
PAGE_VIEW_ID = "rum.page_view.id"
SESSION_ID = "rum.session.id"
NAVIGATION_TYPE = "rum.navigation.type"
SAMPLE_RATE = "rum.sample_rate"
REQUEST_ID = "rum.request.id"
CF_RAY = "rum.cf_ray"
BROWSER_NAME = "rum.browser.name"
BROWSER_VERSION = "rum.browser.version"
OS_NAME = "rum.os.name"
OS_VERSION = "rum.os.version"
DEVICE_TYPE = "rum.device.type"
CONNECTION_TYPE = "rum.connection.type"
VIEWPORT = "rum.viewport"
REFERRER = "rum.referrer"
COUNTRY = "rum.country"
USER_HASH = "rum.user.hash"

METRIC_NAME = "rum.metric.name"
METRIC_VALUE = "rum.metric.value"
METRIC_DELTA = "rum.metric.delta"
METRIC_RATING = "rum.metric.rating"
METRIC_ID = "rum.metric.id"
ATTRIBUTION_PREFIX = "rum.attribution."

ERROR_TYPE = "rum.error.type"
ERROR_MESSAGE = "rum.error.message"
ERROR_STACK = "rum.error.stack"
ERROR_STACK_MINIFIED = "rum.error.stack.minified"
ERROR_FINGERPRINT = "rum.error.fingerprint"
ERROR_COUNT = "rum.error.count"
ERROR_SOURCE = "rum.error.source"
ERROR_FILE = "rum.error.file"
ERROR_LINE = "rum.error.line"
ERROR_COLUMN = "rum.error.column"

EVENT_NAME = "rum.event.name"
EVENT_LABEL_PREFIX = "rum.event.label."
EVENT_ATTR_PREFIX = "rum.event.attr."
RESOURCES_PREFIX = "rum.resources."


@dataclass(frozen=True, slots=True)
class Attribute:
    """A documented key: where it appears, what its (string) value holds, an example."""

    key: str
    on: str
    type: str
    example: str
    meaning: str


EVERY_ROW = "every row"
_NAV = "`navigate`, `reload`, `back-forward`, `back-forward-cache`, `prerender`, `restore`, "

RESOURCE_ATTRIBUTES = (
    Attribute(SERVICE_NAME, EVERY_ROW, "string", "acme-store", "the site id (= ServiceName)"),
    Attribute(SERVICE_VERSION, EVERY_ROW, "string", "2026.11.29-abc123", "the site's release"),
    Attribute(DEPLOYMENT_ENVIRONMENT, EVERY_ROW, "string", "production", "the environment"),
    Attribute(
        DEPLOYMENT_ENVIRONMENT_LEGACY,
        EVERY_ROW,
        "string",
        "production",
        "the same, under the older key ClickStack/HyperDX filter by",
    ),
    Attribute(
        RESOURCE_SESSION_ID,
        EVERY_ROW,
        "string (id)",
        "s-4d2b8e6f0a",
        "session id, under the key ClickStack/HyperDX group sessions by",
    ),
)

ATTRIBUTES = (
    Attribute(
        ROUTE,
        EVERY_ROW,
        "string",
        "/_products/$slug/p",
        "route pattern given by the page (`/_products/$slug/p`); else the path with dynamic "
        "segments collapsed (`/products/:id/p`)",
    ),
    Attribute(
        PAGE_URL,
        EVERY_ROW,
        "string (URL)",
        "https://www.acme-store.com.br/camiseta-polo-azul/p?skuId=",
        "page URL after redaction (no fragment, query values removed except allow-listed "
        "keys, PII masked)",
    ),
    Attribute(
        PAGE_VIEW_ID,
        EVERY_ROW,
        "string (id)",
        "pv-7f3a9c2e1b",
        "id of the page view (new on bfcache restore and soft navigation)",
    ),
    Attribute(
        SESSION_ID,
        EVERY_ROW,
        "string (id)",
        "s-4d2b8e6f0a",
        "session id (rotates after 30 min idle or 4 h)",
    ),
    Attribute(NAVIGATION_TYPE, EVERY_ROW, "enum", "navigate", _NAV + "`soft-navigation`"),
    Attribute(
        SAMPLE_RATE,
        EVERY_ROW,
        "decimal",
        "0.1",
        'the sampling rate this session was kept at (`"1"`, `"0.1"` …): weight = 1 / rate',
    ),
    Attribute(
        REQUEST_ID,
        EVERY_ROW,
        "string",
        "req-8c1f2a7d",
        "the server's request id for the document, when the page exposes it",
    ),
    Attribute(
        CF_RAY,
        EVERY_ROW,
        "string",
        "8e2f4a6b1c3d5e7f-GRU",
        "the edge's ray id for the document (Cloudflare `cf-ray`), when the page exposes it",
    ),
    Attribute(BROWSER_NAME, EVERY_ROW, "string", "Chrome Mobile", "from the User-Agent"),
    Attribute(BROWSER_VERSION, EVERY_ROW, "string", "131.0.0", "from the User-Agent"),
    Attribute(OS_NAME, EVERY_ROW, "string", "Android", "from the User-Agent"),
    Attribute(OS_VERSION, EVERY_ROW, "string", "14", "from the User-Agent"),
    Attribute(
        DEVICE_TYPE, EVERY_ROW, "enum", "mobile", "`desktop`, `mobile`, `tablet`, `bot`, `other`"
    ),
    Attribute(CONNECTION_TYPE, EVERY_ROW, "string", "4g", "`4g`, `3g`, … when known"),
    Attribute(VIEWPORT, EVERY_ROW, "string", "390x844", "`WIDTHxHEIGHT`"),
    Attribute(
        REFERRER, EVERY_ROW, "string (origin)", "https://www.google.com", "the referrer's origin"
    ),
    Attribute(COUNTRY, EVERY_ROW, "string", "BR", "from a trusted proxy header, when configured"),
    Attribute(
        USER_HASH,
        EVERY_ROW,
        "string (hex)",
        "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
        "after `identify(hash)`",
    ),
    Attribute(
        METRIC_NAME,
        WEB_VITAL,
        "enum",
        "LCP",
        "`LCP`, `CLS`, `INP`, `FCP`, `TTFB`, or `FID` (older browsers without INP; never "
        "mixed into INP)",
    ),
    Attribute(
        METRIC_VALUE,
        WEB_VITAL,
        "decimal",
        "4210.6",
        "final value: milliseconds, or unitless for CLS",
    ),
    Attribute(
        METRIC_DELTA, WEB_VITAL, "decimal", "4210.6", "change since the previous report of the id"
    ),
    Attribute(
        METRIC_RATING,
        WEB_VITAL,
        "enum",
        "poor",
        "`good`, `needs-improvement`, `poor` (web-vitals thresholds)",
    ),
    Attribute(
        METRIC_ID,
        WEB_VITAL,
        "string (id)",
        "v5-1764446590000-6666666666666",
        "the web-vitals metric id; the same id may arrive twice (page hidden, shown, hidden): "
        "queries count each id once, with its last value",
    ),
    Attribute(
        ATTRIBUTION_PREFIX + "<key>",
        WEB_VITAL,
        "string",
        "img.hero",
        "attribution (element selector, LCP resource URL redacted, interaction type …) when "
        "the attribution build is used",
    ),
    Attribute(ERROR_TYPE, ERROR_EVENT, "string", "TypeError", "the error's constructor name"),
    Attribute(
        ERROR_MESSAGE,
        ERROR_EVENT,
        "string",
        "Cannot read properties of undefined (reading 'price')",
        "the message (redacted)",
    ),
    Attribute(
        ERROR_STACK,
        ERROR_EVENT,
        "string",
        "TypeError: …\\n    at render (https://…/app.js:1:40)",
        "the stack (redacted; symbolicated when source maps are known)",
    ),
    Attribute(
        ERROR_STACK_MINIFIED,
        ERROR_EVENT,
        "string",
        "TypeError: …\\n    at t (https://…/main.4f3a.js:1:40231)",
        "the stack as sent, when a source map symbolicated rum.error.stack",
    ),
    Attribute(
        ERROR_FINGERPRINT, ERROR_EVENT, "string (hex)", "a1f3c09e", "one id per distinct error"
    ),
    Attribute(ERROR_COUNT, ERROR_EVENT, "integer", "3", "occurrences in the page view"),
    Attribute(ERROR_SOURCE, ERROR_EVENT, "enum", "error", "`error`, `unhandledrejection`"),
    Attribute(
        ERROR_FILE,
        ERROR_EVENT,
        "string (URL)",
        "https://shop.example/app.js",
        "the top frame's file",
    ),
    Attribute(ERROR_LINE, ERROR_EVENT, "integer", "1", "the top frame's line"),
    Attribute(ERROR_COLUMN, ERROR_EVENT, "integer", "40", "the top frame's column"),
    Attribute(EVENT_NAME, CUSTOM_EVENT, "string", "add_to_cart", "the name given to `track`"),
    Attribute(
        EVENT_LABEL_PREFIX + "<key>",
        CUSTOM_EVENT,
        "string",
        "BRL",
        "a label: bounded (64 characters), cardinality-checked, made for GROUP BY",
    ),
    Attribute(
        RESOURCES_PREFIX + "<key>",
        RESOURCES_EVENT,
        "integer, decimal or string (URL)",
        "42",
        "request counts, bytes, cache-hit and third-party shares, per initiator, content "
        "type and third-party host, and the 5 slowest resources (see docs/wire.md)",
    ),
    Attribute(
        EVENT_ATTR_PREFIX + "<key>",
        CUSTOM_EVENT,
        "string",
        "8472615",
        "a free value such as an id or a price; never grouped by in shipped rollups",
    ),
)


# --- Web Vitals ----------------------------------------------------------------------------

GOOD = "good"
NEEDS_IMPROVEMENT = "needs-improvement"
POOR = "poor"
RATINGS = (GOOD, NEEDS_IMPROVEMENT, POOR)


@dataclass(frozen=True, slots=True)
class Metric:
    """A Web Vital: web-vitals' thresholds (good up to ``good``, poor above ``poor``), unit."""

    name: str
    good: float
    poor: float
    unit: str = "ms"
    legacy: bool = False
    """Kept for older browsers only (FID, where INP is missing): not a dashboard tile."""


METRICS: dict[str, Metric] = {
    metric.name: metric
    for metric in (
        Metric("LCP", 2500, 4000),
        Metric("CLS", 0.1, 0.25, unit=""),
        Metric("INP", 200, 500),
        Metric("FCP", 1800, 3000),
        Metric("TTFB", 800, 1800),
        Metric("FID", 100, 300, legacy=True),
    )
}
"""In the order reports and the dashboard list them."""

METRIC_NAMES = tuple(METRICS)
MAX_CLS = 100.0
"""A CLS above this is not a real page's: the event is rejected."""

DEVICE_TYPES = ("desktop", "mobile", "tablet", "bot", "other")


# --- docs/storage.md -----------------------------------------------------------------------


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _attribute_rows(attributes: tuple[Attribute, ...]) -> list[tuple[str, ...]]:
    return [(f"`{a.key}`", a.type, f"`{a.example}`", a.meaning) for a in attributes]


def generated_sections() -> dict[str, str]:
    """The tables of docs/storage.md, by section name, as the docs must print them."""
    sections = {
        "events": _table(
            ("event", "EventName", "SeverityText / Number", "Body (human summary)"),
            [
                (k.what, f"`{k.name}`", f"{k.severity.text} / {k.severity.number}", k.body)
                for k in EVENT_KINDS
            ],
        ),
        "resource": _table(
            ("key", "type", "example", "meaning"), _attribute_rows(RESOURCE_ATTRIBUTES)
        ),
        "metrics": _table(
            ("metric", "unit", "good up to", "poor above"),
            [
                (f"`{m.name}`", m.unit or "unitless", f"{m.good:g}", f"{m.poor:g}")
                for m in METRICS.values()
            ],
        ),
    }
    for on in (EVERY_ROW, WEB_VITAL, ERROR_EVENT, CUSTOM_EVENT, RESOURCES_EVENT):
        chosen = tuple(a for a in ATTRIBUTES if a.on == on)
        sections[f"attributes {on}"] = _table(
            ("key", "type", "example", "meaning"), _attribute_rows(chosen)
        )
    return sections


def render_storage_doc(template: str) -> str:
    """``template`` with each ``<!-- contract: NAME -->`` … ``<!-- /contract -->`` block filled."""
    out = template
    for name, table in generated_sections().items():
        start = f"<!-- contract: {name} -->"
        head, found, rest = out.partition(start)
        if not found:
            raise ValueError(f"docs/storage.md has no {start!r} block")
        _, end, tail = rest.partition("<!-- /contract -->")
        if not end:
            raise ValueError(f"the {start!r} block is not closed")
        out = f"{head}{start}\n{table}\n<!-- /contract -->{tail}"
    return out


if __name__ == "__main__":
    # python -m rum_server.contract docs/storage.md  (rewrites the generated tables in place)
    from pathlib import Path

    path = Path(sys.argv[1])
    path.write_text(render_storage_doc(path.read_text()))
