"""Rows for tests, made the one way the server makes them: wire beacons through the ingest's
own pipeline (decode, redact, enrich, rows), then the writer's sink.

A test says which events happened on which page (route, device, release, sample rate,
session); events of the same page go in one beacon, as the snippet batches them, sent
when its last event is in so no clock skew moves a row. Beacons reach the pipeline in
the order they were sent, as they would reach a server.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from rum_server.settings import Settings
from rum_server.storage.sink import ClickHouseSink
from rum_server.storage.store import Store
from rum_server.transform.pipeline import Pipeline, RequestContext
from rum_server.transform.rows import ROW_COLUMNS
from rum_server.transform.wire import MAX_EVENTS

NS_PER_MS = 1_000_000
USER_AGENTS = {
    "mobile": "Mozilla/5.0 (Linux; Android 14; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "desktop": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "tablet": "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
}
"""A User-Agent the server's parser files under each device type (``rum.device.type``)."""


@dataclass(frozen=True, slots=True)
class Page:
    """What a beacon's envelope (and its User-Agent) says about the page view."""

    site: str
    route: str = "/"
    device: str = "mobile"
    release: str = "r1"
    rate: float = 1.0
    session: str = "s1"
    snippet: str = "1.0.0"


def ms(ts_ns: int) -> float:
    """A time as the snippet stamps events: epoch milliseconds."""
    return ts_ns / NS_PER_MS


def web_vital(name: str, value: float, metric_id: str, ts_ns: int) -> dict[str, Any]:
    return {"t": "web_vital", "ts": ms(ts_ns), "name": name, "v": value, "id": metric_id}


def page_view(ts_ns: int) -> dict[str, Any]:
    return {"t": "page_view", "ts": ms(ts_ns)}


def custom_event(name: str, ts_ns: int, **labels: str) -> dict[str, Any]:
    return {"t": "event", "ts": ms(ts_ns), "name": name, "labels": labels or None}


def error(message: str, ts_ns: int, error_type: str = "TypeError") -> dict[str, Any]:
    return {"t": "error", "ts": ms(ts_ns), "msg": message, "type": error_type}


class Beacons:
    """Events queued per page; ``columns`` or ``insert`` sends them through the pipeline."""

    def __init__(self, site: str, settings: Settings | None = None, **defaults: Any) -> None:
        """``defaults``: the :class:`Page` fields of every event that does not name them."""
        self.site = site
        self.defaults = defaults
        self.pipeline = Pipeline(settings or Settings())
        self.pending: dict[Page, list[dict[str, Any]]] = {}

    def add(self, event: dict[str, Any], **page: Any) -> None:
        """Queue one wire event on the page ``page`` names (see :class:`Page`)."""
        self.pending.setdefault(Page(self.site, **{**self.defaults, **page}), []).append(event)

    def vital(
        self, metric: str, value: float, metric_id: str, ts_ns: int, route: str = "/", **page: Any
    ) -> None:
        self.add(web_vital(metric, value, metric_id, ts_ns), route=route, **page)

    def requests(self) -> list[tuple[bytes, RequestContext]]:
        """Every queued event in beacons of at most MAX_EVENTS, oldest send first."""
        sent = []
        for page, events in self.pending.items():
            for start in range(0, len(events), MAX_EVENTS):
                sent.append(beacon(page, events[start : start + MAX_EVENTS]))
        self.pending.clear()
        return sorted(sent, key=lambda item: item[1].received_ns)

    def columns(self) -> dict[str, list[Any]]:
        """The rows the ingest stores for the queued events; every event must be accepted."""
        data: dict[str, list[Any]] = {name: [] for name in ROW_COLUMNS}
        for body, request in self.requests():
            processed = self.pipeline.process(body, request)
            assert processed.rejected == [], processed.rejected
            for name, values in processed.columns.merged().items():
                data[name].extend(values)
        return data

    def insert(self, store: Store) -> None:
        """Store the queued events' rows through the writer's sink."""
        ClickHouseSink(store).write(self.columns())


def beacon(page: Page, events: list[dict[str, Any]]) -> tuple[bytes, RequestContext]:
    """The body of one batch and its request, sent (and received) when its last event is in."""
    sent_ms = math.ceil(max(event["ts"] for event in events))
    batch = {
        "v": 1,
        "site": page.site,
        "url": f"https://{page.site}.example{page.route.replace('$', '')}",
        "route": page.route,
        "pv": f"pv-{page.session}",
        "sid": page.session,
        "st": sent_ms,
        "rate": page.rate,
        "ver": page.release,
        "sv": page.snippet,
        "env": "production",
        "events": events,
    }
    request = RequestContext(sent_ms * NS_PER_MS, user_agent=USER_AGENTS[page.device])
    return json.dumps(batch).encode(), request
