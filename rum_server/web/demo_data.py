"""``rum-server demo-data``: seed a store with realistic synthetic storefront traffic.

Sessions walk home → PLP → PDP → cart → checkout with drop-offs; each page view
writes a page-view row, its web vitals (log-normal per route and device), now and
then an error, and the funnel's custom events. The newest release makes LCP on
mobile about 30% slower, so ``query compare`` has a regression to find. Some CLS
and INP ids are reported twice (page hidden, shown, hidden) with a rising value,
as browsers do. Rows follow storage.md exactly, like the ingest pipeline's.
"""

from __future__ import annotations

import math
import random
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rum_server import contract as c
from rum_server.storage.rollups import settle
from rum_server.storage.sink import ClickHouseSink
from rum_server.storage.store import Store
from rum_server.transform.rating import format_value, rating, vital_body
from rum_server.transform.rows import ROW_COLUMNS
from rum_server.web.demo import DEMO_SITE

DAY_NS = 86_400 * 10**9
HOUR_NS = 3_600 * 10**9
CHUNK_ROWS = 100_000
SNIPPET_VERSION = "1.0.0"
ROWS_PER_PAGE_VIEW = 6.4
"""Rows a page view writes on average (page view, ~5 vitals, errors, events)."""


@dataclass(frozen=True, slots=True)
class Page:
    route: str
    path: str
    lcp_median_ms: float


PAGES = (
    Page("/", "/", 1900.0),
    Page("/$category", "/calcados", 2300.0),
    Page("/_products/$slug/p", "/tenis-corrida-azul-42/p", 2600.0),
    Page("/cart", "/cart", 1700.0),
    Page("/checkout", "/checkout", 2000.0),
)
NEXT_PAGE_CHANCE = (0.75, 0.7, 0.35, 0.6, 0.0)
"""Chance a session moves on from each page to the next one of the funnel."""

DEVICES = (("mobile", 0.64, 1.35), ("desktop", 0.31, 0.8), ("tablet", 0.05, 1.1))
"""(device type, share of sessions, LCP multiplier)."""

BROWSERS = {
    "mobile": (("Chrome Mobile", "Android", 0.6), ("Mobile Safari", "iOS", 0.33),
               ("Samsung Internet", "Android", 0.07)),
    "desktop": (("Chrome", "Windows", 0.62), ("Safari", "Mac OS X", 0.16),
                ("Edge", "Windows", 0.12), ("Firefox", "Windows", 0.10)),
    "tablet": (("Mobile Safari", "iOS", 0.7), ("Chrome Mobile", "Android", 0.3)),
}  # fmt: skip

ERRORS = (
    ("TypeError", "Cannot read properties of undefined (reading 'price')", "a1f3c09e", 0.45),
    ("ReferenceError", "gtag is not defined", "0b7d22aa", 0.25),
    ("Error", "Failed to fetch /api/cart", "c4e8915d", 0.15),
    ("TypeError", "Load failed", "9d02ab13", 0.10),
    ("SyntaxError", "Unexpected token '<' in JSON at position 0", "5e66f0b2", 0.05),
)
FUNNEL_EVENTS = {
    "/_products/$slug/p": "view_item",
    "/cart": "add_to_cart",
    "/checkout": "begin_checkout",
}
PURCHASE_CHANCE = 0.55
MOBILE_LCP_REGRESSION = 1.3


@dataclass(frozen=True, slots=True)
class PageContext:
    """What every row of one page view shares: route, resource, attributes, trace."""

    route: str
    resource: dict[str, str]
    attrs: dict[str, str]
    trace_id: str = ""
    span_id: str = ""


@dataclass(frozen=True, slots=True)
class Seed:
    rows: int = 100_000
    days: int = 7
    site: str = DEMO_SITE
    seed: int = 1


def window_start(days: int, now_ns: int) -> int:
    """Local midnight starting the last ``days`` calendar days, as the reports count them
    (the process's time zone is the embedded store's)."""
    first = datetime.fromtimestamp(now_ns // 10**9).date() - timedelta(days=days - 1)
    return int(datetime.combine(first, datetime.min.time()).timestamp()) * 10**9


def end_of_yesterday(now_ns: int) -> int:
    """The last nanosecond before today's local midnight: seeded days are whole days, so
    the same seed gives the same figures at any hour of any day."""
    return window_start(1, now_ns) - 1


def releases(start_ns: int, now_ns: int) -> list[tuple[str, int]]:
    """(version, first time in ns): three releases, the newest one about a day old."""
    middle = start_ns + (now_ns - start_ns) // 3
    starts = [start_ns, middle, max(now_ns - DAY_NS, middle + 1)]
    versions = []
    for start in sorted(set(starts)):
        stamp = time.strftime("%Y.%m.%d", time.localtime(start // 10**9))  # the day it lands on
        versions.append((f"{stamp}-{uuid.UUID(int=start).hex[-6:]}", start))
    return versions


def _pick(rng: random.Random, options: tuple[Any, ...], weights: list[float]) -> Any:
    return rng.choices(options, weights)[0]


class Builder:
    """Accumulates column-oriented rows for one seeding run."""

    def __init__(self, seed: Seed, now_ns: int) -> None:
        self.columns = ROW_COLUMNS
        self.seed = seed
        self.rng = random.Random(seed.seed)
        self.now_ns = now_ns
        self.window_start = window_start(seed.days, now_ns)
        self.releases = releases(self.window_start, now_ns)
        self.data: dict[str, list[Any]] = {name: [] for name in self.columns}

    @property
    def count(self) -> int:
        return len(self.data["Timestamp"])

    def take(self) -> dict[str, list[Any]]:
        data, self.data = self.data, {name: [] for name in self.columns}
        return data

    def lognormal(self, median: float, sigma: float) -> float:
        """Web vitals are skewed: log-normal around a median is the usual model."""
        return self.rng.lognormvariate(math.log(median), sigma)

    def release_at(self, ts_ns: int) -> str:
        current = self.releases[0][0]
        for version, start in self.releases:
            if ts_ns >= start:
                current = version
        return current

    def session(self) -> None:
        rng = self.rng
        device, _share, lcp_factor = _pick(rng, DEVICES, [d[1] for d in DEVICES])
        browsers = BROWSERS[device]
        browser, os_name, _ = _pick(rng, browsers, [b[2] for b in browsers])
        start = int(rng.uniform(self.window_start, max(self.window_start, self.now_ns - HOUR_NS)))
        version = self.release_at(start)
        if version == self.releases[-1][0] and device == "mobile":
            lcp_factor *= MOBILE_LCP_REGRESSION
        session_id = uuid.UUID(int=rng.randrange(0, 2**63) << 64 | 1).hex
        resource = {
            c.SERVICE_NAME: self.seed.site,
            c.SERVICE_VERSION: version,
            c.DEPLOYMENT_ENVIRONMENT: "production",
            c.DEPLOYMENT_ENVIRONMENT_LEGACY: "production",
            c.RESOURCE_SESSION_ID: session_id,
        }
        shared = {
            c.SESSION_ID: session_id,
            c.SAMPLE_RATE: "1",
            c.BROWSER_NAME: browser,
            c.BROWSER_VERSION: str(rng.randrange(118, 132)),
            c.OS_NAME: os_name,
            c.OS_VERSION: str(rng.randrange(10, 18)),
            c.DEVICE_TYPE: device,
            c.CONNECTION_TYPE: "4g" if rng.random() < 0.85 else "3g",
            c.VIEWPORT: "390x844" if device == "mobile" else "1440x900",
        }
        ts = start
        for index, page in enumerate(PAGES):
            self.page_view(page, ts, resource, shared, lcp_factor)
            ts += int(rng.uniform(8, 90) * 1e9)
            if rng.random() >= NEXT_PAGE_CHANCE[index]:
                break
        if page.route == "/checkout" and rng.random() < PURCHASE_CHANCE:
            self.event(self.page_context(page, resource, shared), "purchase", ts)

    def page_context(
        self, page: Page, resource: dict[str, str], shared: dict[str, str]
    ) -> PageContext:
        rng = self.rng
        attrs = {
            c.ROUTE: page.route,
            c.PAGE_URL: f"https://{self.seed.site}.example{page.path}",
            c.PAGE_VIEW_ID: uuid.UUID(int=rng.randrange(0, 2**63) << 64 | 2).hex[:16],
            c.NAVIGATION_TYPE: "navigate",
            **shared,
        }
        if rng.random() < 0.8:
            attrs[c.REQUEST_ID] = uuid.UUID(int=rng.randrange(0, 2**63)).hex
        trace_id = uuid.UUID(int=rng.randrange(1, 2**63) << 64).hex if rng.random() < 0.3 else ""
        return PageContext(page.route, resource, attrs, trace_id, trace_id[:16])

    def page_view(
        self,
        page: Page,
        ts: int,
        resource: dict[str, str],
        shared: dict[str, str],
        lcp_factor: float,
    ) -> None:
        rng = self.rng
        context = self.page_context(page, resource, shared)
        self.row(context, ts, c.PAGE_VIEW, page.route, {})
        lcp = self.lognormal(page.lcp_median_ms * lcp_factor, 0.45)
        ttfb = self.lognormal(420 * lcp_factor, 0.5)
        fcp = min(lcp, ttfb + self.lognormal(700 * lcp_factor, 0.4))
        vitals: list[tuple[str, float]] = [("TTFB", round(ttfb)), ("FCP", round(fcp))]
        vitals.append(("LCP", round(lcp)))
        cls = 0.0 if rng.random() < 0.45 else self.lognormal(0.06, 0.9)
        vitals.append(("CLS", round(cls, 4)))
        if rng.random() < 0.7:
            vitals.append(("INP", round(self.lognormal(140 * lcp_factor, 0.6))))
        for name, value in vitals:
            metric_id = f"v5-{ts // 1_000_000}-{context.attrs[c.PAGE_VIEW_ID]}-{name}"
            at = ts + int(value * 1e6) if name != "CLS" else ts + 5 * 10**9
            if name in ("CLS", "INP") and rng.random() < 0.08:  # hidden, shown, hidden again
                earlier = round(value * 0.6, 4 if name == "CLS" else 0)
                self.vital(context, name, earlier, metric_id, at)
                at += int(rng.uniform(5, 60) * 1e9)
            self.vital(context, name, value, metric_id, at)
        if rng.random() < 0.035:
            self.error(context, ts + 2 * 10**9)
        event = FUNNEL_EVENTS.get(page.route)
        if event:
            self.event(context, event, ts + 3 * 10**9)

    def vital(self, context: PageContext, name: str, value: float, metric_id: str, ts: int) -> None:
        text = format_value(value)
        grade = rating(name, value)
        attrs = {
            c.METRIC_NAME: name,
            c.METRIC_VALUE: text,
            c.METRIC_DELTA: text,
            c.METRIC_RATING: grade,
            c.METRIC_ID: metric_id,
        }
        body = vital_body(name, text, grade, context.route)
        self.row(context, ts, c.WEB_VITAL, body, attrs)

    def error(self, context: PageContext, ts: int) -> None:
        error_type, message, fingerprint, _ = _pick(self.rng, ERRORS, [e[3] for e in ERRORS])
        file = f"https://{self.seed.site}.example/_frsh/js/chunk-{fingerprint[:4]}.js"
        attrs = {
            c.ERROR_TYPE: error_type,
            c.ERROR_MESSAGE: message,
            c.ERROR_STACK: f"{error_type}: {message}\n    at render ({file}:1:{len(message)})",
            c.ERROR_FINGERPRINT: fingerprint,
            c.ERROR_COUNT: str(self.rng.randrange(1, 4)),
            c.ERROR_SOURCE: "error",
            c.ERROR_FILE: file,
            c.ERROR_LINE: "1",
            c.ERROR_COLUMN: str(len(message)),
        }
        self.row(context, ts, c.ERROR_EVENT, message, attrs, severity=c.ERROR)

    def event(self, context: PageContext, name: str, ts: int) -> None:
        attrs = {c.EVENT_NAME: name, c.EVENT_LABEL_PREFIX + "currency": "BRL"}
        self.row(context, ts, c.CUSTOM_EVENT, name, attrs)

    def row(
        self,
        context: PageContext,
        ts: int,
        event_name: str,
        body: str,
        attrs: dict[str, str],
        severity: c.Severity = c.INFO,
    ) -> None:
        """Append one row: the page's shared attributes plus the event's own."""
        data = self.data
        data["Timestamp"].append(min(ts, self.now_ns))
        data["TraceId"].append(context.trace_id)
        data["SpanId"].append(context.span_id)
        data["TraceFlags"].append(1 if context.trace_id else 0)
        data["SeverityText"].append(severity.text)
        data["SeverityNumber"].append(severity.number)
        data["ServiceName"].append(self.seed.site)
        data["Body"].append(body)
        data["ResourceSchemaUrl"].append("")
        data["ResourceAttributes"].append(context.resource)
        data["ScopeSchemaUrl"].append("")
        data["ScopeName"].append(c.SCOPE_NAME)
        data["ScopeVersion"].append(SNIPPET_VERSION)
        data["ScopeAttributes"].append({})
        data["LogAttributes"].append({**context.attrs, **attrs})
        data["EventName"].append(event_name)


def generate(seed: Seed, now_ns: int | None = None) -> Iterator[dict[str, list[Any]]]:
    """Column-oriented chunks of about CHUNK_ROWS rows, about ``seed.rows`` rows in all,
    over the ``seed.days`` whole days before the day of ``now_ns``."""
    builder = Builder(seed, end_of_yesterday(time.time_ns() if now_ns is None else now_ns))
    produced = 0
    while produced + builder.count < seed.rows:
        builder.session()
        if builder.count >= CHUNK_ROWS:
            produced += builder.count
            yield builder.take()
    if builder.count:
        yield builder.take()


def seed_store(store: Store, seed: Seed, progress: bool = False) -> int:
    """Insert the synthetic rows, then settle the rollups; returns the number of rows."""
    total = 0
    started = time.monotonic()
    sink = ClickHouseSink(store)  # the ingest writer's insert path, not a second one
    for chunk in generate(seed):
        sink.write(chunk)
        total += len(chunk["Timestamp"])
        if progress:
            rate = total / max(time.monotonic() - started, 1e-9)
            print(f"demo-data: {total:,} rows ({rate:,.0f} rows/s)", file=sys.stderr)
    settle(store)
    return total
