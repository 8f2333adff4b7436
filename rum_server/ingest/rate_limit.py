"""Per-client rate limiting for beacons: a token bucket per client address, bounded in memory.

Off by default, because behind a proxy every request comes from the proxy's address;
turn it on with ``RUM_RATE_LIMIT`` (batches per second per client) and, behind a proxy
you control, name the header carrying the visitor's address (``RUM_CLIENT_IP_HEADER``;
for ``X-Forwarded-For``, ``RUM_TRUSTED_PROXY_HOPS`` says how many proxies are yours).
Runs before the body is read, so a flood costs almost nothing.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict

from rum_server.ingest.errors import RumError

MAX_TRACKED_CLIENTS = 100_000
"""Least recently seen clients are forgotten past this, so memory stays bounded."""


class RateLimited(RumError):
    """Too many batches from one client; retry after ``Retry-After`` seconds."""

    status_code = 429

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after_seconds)}


class RateLimiter:
    """``rate`` batches per second per client, with bursts of up to ``burst``."""

    def __init__(self, rate: float, burst: float, max_clients: int = MAX_TRACKED_CLIENTS) -> None:
        self._rate = rate
        self._burst = burst
        self._max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, client: str, now: float | None = None) -> None:
        """Take one token for ``client``; raises :class:`RateLimited` when none is left."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(client, (self._burst, now))
            tokens = min(self._burst, tokens + (now - last) * self._rate)
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                wait = math.ceil((1 - tokens) / self._rate)
                raise RateLimited(f"too many batches from {client}; slow down", wait)
            self._buckets[client] = (tokens - 1, now)
            if len(self._buckets) > self._max_clients:
                self._buckets.popitem(last=False)


def visitor_address(header_values: list[str], hops: int = 1) -> str:
    """The address the ``hops``-th trusted proxy from us appended to ``X-Forwarded-For``.

    Each proxy appends the address it saw, so everything left of what our own
    proxies wrote is the client's to invent: the leftmost entry is never trusted.
    With one proxy (``hops=1``) that is the rightmost entry. Fewer entries than
    hops: the leftmost one there is (the request skipped a proxy).
    """
    addresses = [part.strip() for value in header_values for part in value.split(",")]
    addresses = [address for address in addresses if address]
    if not addresses:
        return ""
    return addresses[-min(hops, len(addresses))]
