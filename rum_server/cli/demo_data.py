"""``rum-server demo-data``: seed a store with realistic synthetic storefront traffic.

Sessions walk home → PLP → PDP → cart → checkout with drop-offs. Each page view is
one beacon in wire format (docs/wire.md), as the snippet sends it when the page is
hidden: a page view, its web vitals (log-normal per route and device), now and then
an error, and the funnel's custom events, with a real browser's User-Agent. Every
beacon goes through the ingest's own :class:`~rum_server.transform.pipeline.Pipeline`
at the time it would have arrived, so the demo rows are exactly the rows the server
stores for such traffic: one row builder, no second one to drift.

The newest release makes LCP on mobile about 30% slower, so ``query compare`` has a
regression to find, and the middle release loses purchases at the payment step.
Some CLS and INP ids are reported twice (page hidden, shown, hidden) with a rising
value, as browsers do.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import msgspec

from rum_server.settings import Settings
from rum_server.storage.rollups import settle
from rum_server.storage.sink import ClickHouseSink
from rum_server.storage.store import DataDirectoryLocked, Store, StoreError
from rum_server.transform.clock import NS_PER_MS
from rum_server.transform.label_budget import utc_day
from rum_server.transform.pipeline import Pipeline, RequestContext
from rum_server.transform.refusals import BatchRefused
from rum_server.transform.rows import ROW_COLUMNS
from rum_server.transform.wire import (
    WIRE_VERSION,
    CustomEvent,
    Error,
    Event,
    MetricName,
    PageView,
    TypedBatch,
    WebVital,
)
from rum_server.web.demo import DEMO_SITE

DAY_NS = 86_400 * 10**9
HOUR_NS = 3_600 * 10**9
CHUNK_ROWS = 100_000
SNIPPET_VERSION = "1.0.0"


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
    "mobile": (
        ("Chrome Mobile", "Android", 0.6,
         "Mozilla/5.0 (Linux; Android {os}; K) {blink} Chrome/{v}.0.0.0 Mobile Safari/537.36"),
        ("Mobile Safari", "iOS", 0.33,
         "Mozilla/5.0 (iPhone; CPU iPhone OS {os}_0 like Mac OS X) {webkit} "
         "Version/{os}.0 Mobile/15E148 Safari/604.1"),
        ("Samsung Internet", "Android", 0.07,
         "Mozilla/5.0 (Linux; Android {os}; SAMSUNG SM-S918B) {blink} "
         "SamsungBrowser/{samsung}.0 Chrome/{v}.0.0.0 Mobile Safari/537.36"),
    ),
    "desktop": (
        ("Chrome", "Windows", 0.62,
         "Mozilla/5.0 (Windows NT 10.0; Win64; x64) {blink} Chrome/{v}.0.0.0 Safari/537.36"),
        ("Safari", "Mac OS X", 0.16,
         "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {webkit} Version/{os}.0 "
         "Safari/605.1.15"),
        ("Edge", "Windows", 0.12,
         "Mozilla/5.0 (Windows NT 10.0; Win64; x64) {blink} Chrome/{v}.0.0.0 "
         "Safari/537.36 Edg/{v}.0.0.0"),
        ("Firefox", "Windows", 0.10,
         "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0"),
    ),
    "tablet": (
        ("Mobile Safari", "iOS", 0.7,
         "Mozilla/5.0 (iPad; CPU OS {os}_0 like Mac OS X) {webkit} "
         "Version/{os}.0 Mobile/15E148 Safari/604.1"),
        ("Chrome", "Android", 0.3,
         "Mozilla/5.0 (Linux; Android {os}; SM-X710) {blink} Chrome/{v}.0.0.0 Safari/537.36"),
    ),
}  # fmt: skip
"""Per device: (browser and OS as the server's User-Agent parser names them, share, a
User-Agent of that browser: see :func:`user_agent`)."""


def user_agent(template: str, browser_version: int, os_version: int) -> str:
    """A User-Agent from a template of :data:`BROWSERS` (``{v}`` the browser's major
    version, ``{os}`` the OS's)."""
    return template.format(
        v=browser_version,
        os=os_version,
        samsung=browser_version - 100,
        blink="AppleWebKit/537.36 (KHTML, like Gecko)",
        webkit="AppleWebKit/605.1.15 (KHTML, like Gecko)",
    )


ERRORS = (
    ("TypeError", "Cannot read properties of undefined (reading 'price')", "a1f3", 0.45),
    ("ReferenceError", "gtag is not defined", "0b7d", 0.25),
    ("Error", "Failed to fetch /api/cart", "c4e8", 0.15),
    ("TypeError", "Load failed", "9d02", 0.10),
    ("SyntaxError", "Unexpected token '<' in JSON at position 0", "5e66", 0.05),
)
"""(type, message, the bundle chunk it is thrown in, share): the server fingerprints them."""
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
class Beacon:
    """One batch as the snippet sends it, with the User-Agent header it comes with."""

    batch: TypedBatch
    user_agent: str

    def add(self, event: Event) -> None:
        self.batch.events.append(event)

    def request(self, now_ns: int) -> tuple[bytes, RequestContext]:
        """The body and the request, sent when the last event is in (never after
        ``now_ns``); the client's clock is the server's, so no skew moves a row."""
        sent_ms = min(math.ceil(max(event.ts for event in self.batch.events)), now_ns // NS_PER_MS)
        self.batch.st = float(sent_ms)
        return _encoder.encode(self.batch), RequestContext(sent_ms * NS_PER_MS, self.user_agent)


_encoder = msgspec.json.Encoder()


def epoch_ms(ts_ns: int) -> float:
    """An event time as the snippet stamps it: epoch milliseconds, with a fraction."""
    return ts_ns / NS_PER_MS


def uid(number: int) -> str:
    """An id in the snippet's shape (``lib/uid.ts``: base 36) from a random number."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
        if not number:
            return text


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


@dataclass(frozen=True, slots=True)
class Visitor:
    """What every beacon of one session shares."""

    session_id: str
    version: str
    user_agent: str
    connection: str
    viewport: str


class Builder:
    """Draws sessions as beacons; :class:`Rows` turns them into the rows the ingest stores."""

    def __init__(self, seed: Seed, now_ns: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed.seed)
        self.now_ns = now_ns
        self.window_start = window_start(seed.days, now_ns)
        self.releases = releases(self.window_start, now_ns)
        self.beacons: list[Beacon] = []

    def take(self) -> list[Beacon]:
        beacons, self.beacons = self.beacons, []
        return beacons

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
        _browser, _os, _, template = _pick(rng, browsers, [b[2] for b in browsers])
        start = int(rng.uniform(self.window_start, max(self.window_start, self.now_ns - HOUR_NS)))
        version = self.release_at(start)
        if version == self.releases[-1][0] and device == "mobile":
            lcp_factor *= MOBILE_LCP_REGRESSION
        session_id = uid(rng.randrange(0, 2**63))
        browser_version = rng.randrange(118, 132)
        os_version = rng.randrange(10, 18)
        visitor = Visitor(
            session_id,
            version,
            user_agent(template, browser_version, os_version),
            "4g" if rng.random() < 0.85 else "3g",
            "390x844" if device == "mobile" else "1440x900",
        )
        ts = start
        for index, page in enumerate(PAGES):
            self.page_view(page, ts, visitor, lcp_factor)
            ts += int(rng.uniform(8, 90) * 1e9)
            if rng.random() >= NEXT_PAGE_CHANCE[index]:
                break
        if page.route == "/checkout":
            self.checkout(self.beacon(page, visitor), ts, version)

    def checkout(self, beacon: Beacon, ts: int, version: str) -> None:
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
                break
            ts += int(self.rng.uniform(5, 40) * 1e9)
            self.event(beacon, name, ts, labels)
        if beacon.batch.events:
            self.beacons.append(beacon)

    def beacon(self, page: Page, visitor: Visitor) -> Beacon:
        """An empty beacon for one page view of the visitor's session."""
        rng = self.rng
        page_view_id = uid(rng.randrange(0, 2**63))
        request_id = str(uuid.UUID(int=rng.randrange(0, 2**63))) if rng.random() < 0.8 else ""
        trace_id = uuid.UUID(int=rng.randrange(1, 2**63) << 64).hex if rng.random() < 0.3 else ""
        batch = TypedBatch(
            v=WIRE_VERSION,
            site=self.seed.site,
            url=f"https://{self.seed.site}.example{page.path}",
            pv=page_view_id,
            sid=visitor.session_id,
            st=0.0,
            route=page.route,
            nav="navigate",
            vp=visitor.viewport,
            conn=visitor.connection,
            rid=request_id,
            tp=f"00-{trace_id}-{trace_id[:16]}-01" if trace_id else "",
            sv=SNIPPET_VERSION,
            ver=visitor.version,
            env="production",
            events=[],
        )
        return Beacon(batch, visitor.user_agent)

    def page_view(self, page: Page, ts: int, visitor: Visitor, lcp_factor: float) -> None:
        rng = self.rng
        beacon = self.beacon(page, visitor)
        beacon.add(PageView(ts=epoch_ms(ts)))
        lcp = self.lognormal(page.lcp_median_ms * lcp_factor, 0.45)
        ttfb = self.lognormal(420 * lcp_factor, 0.5)
        fcp = min(lcp, ttfb + self.lognormal(700 * lcp_factor, 0.4))
        vitals: list[tuple[MetricName, float]] = [("TTFB", round(ttfb)), ("FCP", round(fcp))]
        vitals.append(("LCP", round(lcp)))
        cls = 0.0 if rng.random() < 0.45 else self.lognormal(0.06, 0.9)
        vitals.append(("CLS", round(cls, 4)))
        if rng.random() < 0.7:
            vitals.append(("INP", round(self.lognormal(140 * lcp_factor, 0.6))))
        for name, value in vitals:
            metric_id = f"{beacon.batch.pv}-{name}"  # one per page view and metric
            at = ts + int(value * 1e6) if name != "CLS" else ts + 5 * 10**9
            if name in ("CLS", "INP") and rng.random() < 0.08:  # hidden, shown, hidden again
                earlier = round(value * 0.6, 4 if name == "CLS" else 0)
                beacon.add(WebVital(ts=epoch_ms(at), name=name, v=earlier, id=metric_id, d=earlier))
                at += int(rng.uniform(5, 60) * 1e9)
                delta = round(value - earlier, 4)
                beacon.add(WebVital(ts=epoch_ms(at), name=name, v=value, id=metric_id, d=delta))
            else:
                beacon.add(WebVital(ts=epoch_ms(at), name=name, v=value, id=metric_id, d=value))
        if rng.random() < 0.035:
            self.error(beacon, ts + 2 * 10**9)
        event = FUNNEL_EVENTS.get(page.route)
        if event == "view_item_list":
            self.event(beacon, event, ts + 3 * 10**9, {"item_list_name": "calcados"})
        elif event:
            self.event(beacon, event, ts + 3 * 10**9, {"currency": "BRL"})
        self.beacons.append(beacon)

    def error(self, beacon: Beacon, ts: int) -> None:
        error_type, message, chunk, _ = _pick(self.rng, ERRORS, [e[3] for e in ERRORS])
        file = f"https://{self.seed.site}.example/_frsh/js/chunk-{chunk}.js"
        error = Error(
            ts=epoch_ms(ts),
            msg=message,
            type=error_type,
            stack=f"{error_type}: {message}\n    at render ({file}:1:{len(message)})",
            n=self.rng.randrange(1, 4),
            src="error",
            file=file,
            line=1,
            col=len(message),
        )
        beacon.add(error)

    def event(
        self, beacon: Beacon, name: str, ts: int, labels: dict[str, str] | None = None
    ) -> None:
        attrs = None
        if name in ("view_product", "add_to_cart"):
            attrs = {"item_id": f"sku-{self.rng.randrange(10_000, 99_999)}"}
        beacon.add(CustomEvent(ts=epoch_ms(ts), name=name, attrs=attrs, labels=labels))


class Rows:
    """Column lists filled by the ingest's pipeline, one beacon at a time.

    A server receives each day's beacons on that day, while the demo draws its sessions
    in any order: each UTC day gets its own pipeline, so the daily budgets (labels,
    routes) judge a day's beacons as that day's server would."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pipelines: dict[date, Pipeline] = {}
        self.data: dict[str, list[Any]] = {name: [] for name in ROW_COLUMNS}
        self.count = 0

    def add(self, beacon: Beacon, now_ns: int) -> None:
        """The beacon's rows, exactly as the ingest builds them; raises
        :class:`~rum_server.transform.refusals.BatchRefused` for a batch it would refuse."""
        body, request = beacon.request(now_ns)
        day = utc_day(request.received_ns)
        if day not in self.pipelines:
            self.pipelines[day] = Pipeline(self.settings)
        processed = self.pipelines[day].process(body, request)
        if processed.rejected:
            raise ValueError(f"the demo sent an event the server refuses: {processed.rejected}")
        for name, values in processed.columns.merged().items():
            self.data[name].extend(values)
        self.count += processed.accepted

    def take(self) -> dict[str, list[Any]]:
        data, self.data = self.data, {name: [] for name in ROW_COLUMNS}
        self.count = 0
        return data


def sessions(seed: Seed, now_ns: int) -> Iterator[list[Beacon]]:
    """Each session's beacons, over the ``seed.days`` whole days ending at ``now_ns``
    (endless: the caller stops)."""
    builder = Builder(seed, now_ns)
    while True:
        builder.session()
        yield builder.take()


def generate(
    seed: Seed, now_ns: int | None = None, settings: Settings | None = None
) -> Iterator[dict[str, list[Any]]]:
    """Column-oriented chunks of about CHUNK_ROWS rows, about ``seed.rows`` rows in all,
    over the ``seed.days`` whole days before the day of ``now_ns``, built by the ingest
    pipeline under ``settings`` (its redaction, limits and site allow-list)."""
    last_ns = end_of_yesterday(time.time_ns() if now_ns is None else now_ns)
    rows = Rows(settings or Settings())
    produced = 0
    for session in sessions(seed, last_ns):
        if produced + rows.count >= seed.rows:
            break
        for beacon in session:
            rows.add(beacon, last_ns)
        if rows.count >= CHUNK_ROWS:
            produced += rows.count
            yield rows.take()
    if rows.count:
        yield rows.take()


def seed_store(store: Store, seed: Seed, progress: bool = False) -> int:
    """Insert the synthetic rows, then settle the rollups; returns the number of rows.

    Each chunk is inserted on a second thread while the next one is built: the insert's
    work is ClickHouse's C++ outside the GIL, so the two overlap. Raises
    :class:`BatchRefused` when the store's settings refuse the site."""
    total = 0
    started = time.monotonic()
    sink = ClickHouseSink(store)  # the ingest writer's insert path, not a second one
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-insert") as inserter:
        pending: Future[None] | None = None
        for chunk in generate(seed, settings=store.settings):
            if pending is not None:
                pending.result()
            pending = inserter.submit(sink.write, chunk)
            total += len(chunk["Timestamp"])
            if progress:
                rate = total / max(time.monotonic() - started, 1e-9)
                print(f"demo-data: {total:,} rows ({rate:,.0f} rows/s)", file=sys.stderr)
        if pending is not None:
            pending.result()
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
        with Store(settings) as store:
            store.ensure_schema()
            return seed_store(store, seed, progress=progress)
    except DataDirectoryLocked:
        raise CliError(
            f"the store {settings.data_path} is in use by a running rum-server serve: stop it, "
            "run demo-data, then start it again (the embedded store allows one process)"
        ) from None
    except StoreError as exc:
        raise CliError(str(exc)) from None
    except BatchRefused as exc:  # the ingest would refuse a beacon of this site too
        raise CliError(f"--site {seed.site!r}: {'; '.join(map(str, exc.detail)) or exc}") from None


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from rum_server.cli.main import add_store_options

    parser = subparsers.add_parser("demo-data", help="seed the store with synthetic traffic")
    add_store_options(parser)
    parser.add_argument("--rows", type=int, default=100_000, help="about this many rows")
    parser.add_argument("--days", type=int, default=7, help="spread over the last D days")
    parser.add_argument("--site", default=DEMO_SITE, help=f"site id (default {DEMO_SITE})")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
    parser.set_defaults(func=command)
