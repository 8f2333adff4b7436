"""Connection guards for ``rum-server serve``: slow or greedy clients cannot starve the rest.

uvicorn has no header-read timeout (any byte re-arms its keep-alive timer) and its
``limit_concurrency`` answers 503 only once a request's headers have arrived, so a
client trickling headers a byte at a time holds a socket forever; ~1,100 of them
exhausted a 1,024 open-files limit. This h11 protocol adds, per connection:

- a **header deadline**: the request line and headers must be complete within
  ``header_timeout`` of the connection opening or of the previous response;
- a **cap on open connections** below the process's open-files limit, and a
  **cap per peer address** (when not behind a proxy): a connection past either
  is closed at once, before it can hold a descriptor for long;
- the open-connection gauge of the self-metrics.

The body deadline is the ingest handler's (it reads the body itself).
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections import Counter
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

from rum_server.metrics import hooks
from rum_server.settings import Settings

log = logging.getLogger("rum_server.ingest.connections")

RESERVED_FILES = 128
"""Descriptors kept free of client connections: the store's files, the log, the listener."""
MAX_BACKLOG = 2048
H11_MAX_INCOMPLETE_EVENT_SIZE = 16 * 1024
"""Request line plus headers larger than this get 400 (uvicorn's default, stated)."""


def open_files_limit() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return 1 << 20 if soft == resource.RLIM_INFINITY else soft


def accept_backlog() -> int:
    """Listen backlog, which is also how many sockets asyncio accepts in one burst."""
    return min(MAX_BACKLOG, max(16, open_files_limit() // 8))


def connection_cap(settings: Settings) -> int:
    """``RUM_MAX_CONNECTIONS``, lowered so that connections plus one accept burst plus the
    store's own files stay under the open-files limit."""
    room = open_files_limit() - RESERVED_FILES - accept_backlog()
    return max(1, min(settings.max_connections, room))


def guarded_protocol(settings: Settings) -> type[H11Protocol]:
    """An h11 protocol class with this server's limits (one per ``serve``)."""
    per_peer = 0 if settings.client_ip_header else settings.max_connections_per_peer

    class Guarded(GuardedProtocol):
        header_timeout = settings.header_timeout_seconds
        max_connections = connection_cap(settings)
        max_per_peer = per_peer
        open_per_peer: ClassVar[Counter[str]] = Counter()

    return Guarded


class GuardedProtocol(H11Protocol):
    header_timeout: ClassVar[float]
    max_connections: ClassVar[int]
    max_per_peer: ClassVar[int]
    open_per_peer: ClassVar[Counter[str]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._peer = ""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        hooks.connections(+1)
        self._peer = self.client[0] if self.client else ""
        self.open_per_peer[self._peer] += 1
        if len(self.connections) > self.max_connections or (
            self.max_per_peer and self.open_per_peer[self._peer] > self.max_per_peer
        ):
            log.debug("closing a connection from %s: over the connection cap", self._peer)
            transport.abort()
            return
        self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        hooks.connections(-1)
        self.open_per_peer[self._peer] -= 1
        if self.open_per_peer[self._peer] <= 0:
            del self.open_per_peer[self._peer]
        if self._header_deadline is not None:
            self._header_deadline.cancel()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_header_deadline()

    def _arm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_overdue)

    def _headers_overdue(self) -> None:
        """No request in progress yet: the client is still sending (or not sending) headers."""
        waiting = self.cycle is None or self.cycle.response_complete
        if waiting and not self.transport.is_closing():
            log.debug("closing a connection from %s: headers too slow", self._peer)
            self.transport.abort()


def apply_connection_guards(config: Any, settings: Settings) -> None:
    """Set ``serve``'s uvicorn config: the guarded protocol, keep-alive and header limits.

    uvicorn's own ``limit_concurrency`` is left off: it answers 503 only after the
    headers arrived, while the guard closes excess connections as they open.
    """
    config.http = guarded_protocol(settings)
    config.backlog = accept_backlog()
    config.timeout_keep_alive = settings.keep_alive_seconds
    config.h11_max_incomplete_event_size = H11_MAX_INCOMPLETE_EVENT_SIZE
