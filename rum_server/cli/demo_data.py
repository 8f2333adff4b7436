"""``rum-server demo-data``: seed a store with realistic synthetic storefront traffic.

Sessions walk home → PLP → PDP → cart → checkout with drop-offs; each page view
writes a page-view row, its web vitals (log-normal per route and device), now and
then an error, and the funnel's custom events. The newest release makes LCP on
mobile about 30% slower, so ``query compare`` has a regression to find. Some CLS
and INP ids are reported twice (page hidden, shown, hidden) with a rising value,
as browsers do. Rows follow storage.md exactly, like the ingest pipeline's.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rum_server.settings import Settings
from rum_server.storage.rollups import settle
from rum_server.storage.sink import ClickHouseSink
from rum_server.storage.store import DataDirectoryLocked, Store, StoreError
from rum_server.transform.rating import format_value, rating
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
    "/$category": "view_item_list",
    "/_products/$slug/p": "view_product",
    "/cart": "add_to_cart",
    "/checkout": "begin_checkout",
}
"""The reserved funnel's first steps, one per page of the walk; the checkout adds the rest."""
CHECKOUT_CHANCES = (0.85, 0.8, 0.75)
"""Chance a checkout goes on to add_shipping_info, then add_payment_info, then purchase."""
BROKEN_PAYMENT_PURCHASE_CHANCE = 0.35
"""In the middle release payment fails often: purchases after add_payment_info drop."""
SHIPPING_TIERS = (("standard", 0.6), ("express", 0.3), ("pickup", 0.1))
PAYMENT_TYPES = (("credit_card", 0.55), ("pix", 0.35), ("boleto", 0.1))
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


def _weighted_name(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    return str(rng.choices([name for name, _ in options], [w for _, w in options])[0])


def _pick(rng: random.Random, options: tuple[Any, ...], weights: list[float]) -> Any:
    return rng.choices(options, weights)[0]


class Builder:
    """Accumulates column-oriented rows for one seeding run."""

    def __init__(self, seed: Seed, now_ns: int) -> None:
        from rum_server.transform.rows import ROW_COLUMNS, SCOPE_NAME

        self.columns = ROW_COLUMNS
        self.scope_name = SCOPE_NAME
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
            "service.name": self.seed.site,
            "service.version": version,
            "deployment.environment.name": "production",
            "deployment.environment": "production",
            "rum.sessionId": session_id,
        }
        shared = {
            "rum.session.id": session_id,
            "rum.sample_rate": "1",
            "rum.browser.name": browser,
            "rum.browser.version": str(rng.randrange(118, 132)),
            "rum.os.name": os_name,
            "rum.os.version": str(rng.randrange(10, 18)),
            "rum.device.type": device,
            "rum.connection.type": "4g" if rng.random() < 0.85 else "3g",
            "rum.viewport": "390x844" if device == "mobile" else "1440x900",
        }
        ts = start
        for index, page in enumerate(PAGES):
            self.page_view(page, ts, resource, shared, lcp_factor)
            ts += int(rng.uniform(8, 90) * 1e9)
            if rng.random() >= NEXT_PAGE_CHANCE[index]:
                break
        if page.route == "/checkout":
            self.checkout(self.page_context(page, resource, shared), ts, version)

    def checkout(self, context: PageContext, ts: int, version: str) -> None:
        """Shipping, payment, purchase: each step reached by chance; the middle release
        loses many purchases at the payment step (the funnel's drop to find)."""
        shipping, payment, purchase = CHECKOUT_CHANCES
        if version == self.releases[len(self.releases) // 2][0] and len(self.releases) > 2:
            purchase = BROKEN_PAYMENT_PURCHASE_CHANCE
        steps = (
            (
                "add_shipping_info",
                shipping,
                {"shipping_tier": _weighted_name(self.rng, SHIPPING_TIERS)},
            ),
            (
                "add_payment_info",
                payment,
                {"payment_type": _weighted_name(self.rng, PAYMENT_TYPES)},
            ),
            ("purchase", purchase, {"currency": "BRL"}),
        )
        for name, chance, labels in steps:
            if self.rng.random() >= chance:
                return
            ts += int(self.rng.uniform(5, 40) * 1e9)
            self.event(context, name, ts, labels)

    def page_context(
        self, page: Page, resource: dict[str, str], shared: dict[str, str]
    ) -> PageContext:
        rng = self.rng
        attrs = {
            "rum.route": page.route,
            "rum.page.url": f"https://{self.seed.site}.example{page.path}",
            "rum.page_view.id": uuid.UUID(int=rng.randrange(0, 2**63) << 64 | 2).hex[:16],
            "rum.navigation.type": "navigate",
            **shared,
        }
        if rng.random() < 0.8:
            attrs["rum.request.id"] = uuid.UUID(int=rng.randrange(0, 2**63)).hex
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
        self.row(context, ts, "rum.page_view", page.route, {})
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
            metric_id = f"v5-{ts // 1_000_000}-{context.attrs['rum.page_view.id']}-{name}"
            at = ts + int(value * 1e6) if name != "CLS" else ts + 5 * 10**9
            if name in ("CLS", "INP") and rng.random() < 0.08:  # hidden, shown, hidden again
                earlier = round(value * 0.6, 4 if name == "CLS" else 0)
                self.vital(context, name, earlier, metric_id, at)
                at += int(rng.uniform(5, 60) * 1e9)
            self.vital(context, name, value, metric_id, at)
        if rng.random() < 0.035:
            self.error(context, ts + 2 * 10**9)
        event = FUNNEL_EVENTS.get(page.route)
        if event == "view_item_list":
            self.event(context, event, ts + 3 * 10**9, {"item_list_name": "calcados"})
        elif event:
            self.event(context, event, ts + 3 * 10**9, {"currency": "BRL"})

    def vital(self, context: PageContext, name: str, value: float, metric_id: str, ts: int) -> None:
        text = format_value(value)
        grade = rating(name, value)
        attrs = {
            "rum.metric.name": name,
            "rum.metric.value": text,
            "rum.metric.delta": text,
            "rum.metric.rating": grade,
            "rum.metric.id": metric_id,
        }
        unit = "" if name == "CLS" else " ms"
        body = f"{name} {text}{unit} {grade} {context.route}"
        self.row(context, ts, "rum.web_vital", body, attrs)

    def error(self, context: PageContext, ts: int) -> None:
        error_type, message, fingerprint, _ = _pick(self.rng, ERRORS, [e[3] for e in ERRORS])
        file = f"https://{self.seed.site}.example/_frsh/js/chunk-{fingerprint[:4]}.js"
        attrs = {
            "rum.error.type": error_type,
            "rum.error.message": message,
            "rum.error.stack": f"{error_type}: {message}\n    at render ({file}:1:{len(message)})",
            "rum.error.fingerprint": fingerprint,
            "rum.error.count": str(self.rng.randrange(1, 4)),
            "rum.error.source": "error",
            "rum.error.file": file,
            "rum.error.line": "1",
            "rum.error.column": str(len(message)),
        }
        self.row(context, ts, "rum.error", message, attrs, severity=("ERROR", 17))

    def event(
        self, context: PageContext, name: str, ts: int, labels: dict[str, str] | None = None
    ) -> None:
        attrs = {"rum.event.name": name}
        attrs.update({f"rum.event.label.{key}": value for key, value in (labels or {}).items()})
        if name in ("view_product", "add_to_cart"):
            attrs["rum.event.attr.item_id"] = f"sku-{self.rng.randrange(10_000, 99_999)}"
        self.row(context, ts, "rum.event", name, attrs)

    def row(
        self,
        context: PageContext,
        ts: int,
        event_name: str,
        body: str,
        attrs: dict[str, str],
        severity: tuple[str, int] = ("INFO", 9),
    ) -> None:
        """Append one row: the page's shared attributes plus the event's own."""
        data = self.data
        data["Timestamp"].append(min(ts, self.now_ns))
        data["TraceId"].append(context.trace_id)
        data["SpanId"].append(context.span_id)
        data["TraceFlags"].append(1 if context.trace_id else 0)
        data["SeverityText"].append(severity[0])
        data["SeverityNumber"].append(severity[1])
        data["ServiceName"].append(self.seed.site)
        data["Body"].append(body)
        data["ResourceSchemaUrl"].append("")
        data["ResourceAttributes"].append(context.resource)
        data["ScopeSchemaUrl"].append("")
        data["ScopeName"].append(self.scope_name)
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


def command(args: argparse.Namespace) -> int:
    """Seed, then say what was written; problems are one line on stderr and exit code 2."""
    from rum_server.cli.main import CliError, settings_from

    try:
        if args.rows < 1 or not 1 <= args.days <= 90:
            raise CliError("--rows must be positive and --days between 1 and 90")
        settings = settings_from(args)
        seed = Seed(rows=args.rows, days=args.days, site=args.site, seed=args.seed)
        total = seed_settings(settings, seed, progress=args.rows > CHUNK_ROWS)
    except CliError as exc:
        print(f"rum-server: {exc}", file=sys.stderr)
        return exc.code
    print(
        f"demo-data: wrote {total:,} rows for site {seed.site!r} over {seed.days} days "
        f"into {settings.qualified_table}"
        + (f" at {settings.data_path}" if settings.embedded else ""),
        file=sys.stderr,
    )
    return 0


def seed_settings(settings: Settings, seed: Seed, progress: bool) -> int:
    from rum_server.cli.main import CliError

    try:
        store = Store(settings)
        try:
            store.ensure_schema()
            return seed_store(store, seed, progress=progress)
        finally:
            store.close()
    except DataDirectoryLocked:
        raise CliError(
            f"the store {settings.data_path} is in use by a running rum-server serve: stop it, "
            "run demo-data, then start it again (the embedded store allows one process)"
        ) from None
    except StoreError as exc:
        raise CliError(str(exc)) from None


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from rum_server.cli.main import add_store_options

    parser = subparsers.add_parser("demo-data", help="seed the store with synthetic traffic")
    add_store_options(parser)
    parser.add_argument("--rows", type=int, default=100_000, help="about this many rows")
    parser.add_argument("--days", type=int, default=7, help="spread over the last D days")
    parser.add_argument("--site", default=DEMO_SITE, help=f"site id (default {DEMO_SITE})")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
    parser.set_defaults(func=command)
