"""Operational wiring: the write-ahead log from settings, the metrics registry and its route.

Kept apart from :mod:`rum_server.app` so the app only gains one call per mechanism.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

from litestar import Request, Response, get
from litestar.datastructures import State
from litestar.exceptions import InternalServerException

from rum_server.ingest.body import read_bounded
from rum_server.ingest.errors import RequestTimeout
from rum_server.metrics import CONTENT_TYPE, Metrics, hooks
from rum_server.settings import Settings
from rum_server.storage.wal import WriteAheadLog
from rum_server.storage.writer import WriterStats
from rum_server.transform.rows import OUTSIDE_RETENTION

METRICS_PATH = "/__deco/rum/metrics"


def open_wal(settings: Settings, directory: Path | None = None) -> WriteAheadLog:
    """The log in the spool directory (``RUM_SPOOL_DIR``; beside an embedded store by default)."""
    return WriteAheadLog(
        directory or settings.spool_path,
        max_bytes=settings.queue_max_bytes,
        max_rows=settings.queue_max_rows,
        segment_max_bytes=settings.segment_max_bytes,
        fsync_seconds=settings.fsync_seconds,
        segment_max_rows=settings.flush_rows,
    )


def open_metrics(state: State) -> Metrics:
    """This app's registry, also the target of the process's counting hooks."""
    metrics = Metrics()
    state.metrics = metrics
    hooks.target = metrics
    return metrics


def close_metrics(state: State) -> None:
    metrics: Metrics | None = getattr(state, "metrics", None)
    if metrics is not None and hooks.target is metrics:
        hooks.target = None


class QueueFigures(Protocol):
    """A writer or a group of writers, as the gauges see it."""

    @property
    def stats(self) -> WriterStats: ...

    def dead_letter_count(self) -> int: ...


def register_queue_gauges(metrics: Metrics, writer: QueueFigures) -> None:
    metrics.gauge(
        "rum_queue_bytes",
        "Bytes accepted and not yet in the store.",
        lambda: writer.stats.queued_bytes,
    )
    metrics.gauge(
        "rum_queue_rows",
        "Rows accepted and not yet in the store.",
        lambda: writer.stats.queued_rows,
    )
    metrics.gauge(
        "rum_dead_letter_segments",
        "Segments waiting in the dead-letter directory.",
        writer.dead_letter_count,
    )


@get(METRICS_PATH, summary="Self-metrics (Prometheus text format)", tags=["operations"])
async def metrics_route(request: Request[object, object, State]) -> Response[str]:
    """Counters, gauges and the insert latency histogram; see docs/operations.md."""
    metrics: Metrics = request.app.state.metrics
    return Response(metrics.render(), media_type=CONTENT_TYPE)


def count_accepted(
    state: State, accepted: int, rejected_events: list[dict[str, str | int]]
) -> None:
    metrics: Metrics = state.metrics
    metrics.accepted_batches.inc()
    metrics.accepted_events.inc(accepted)
    for rejection in rejected_events:
        too_old = str(rejection["reason"]).startswith(OUTSIDE_RETENTION)
        metrics.rejected.inc(1, "outside_retention" if too_old else "invalid_event")


def count_refused(state: State, error: Exception) -> None:
    """One refused batch, labelled by the error's kind (``payload_too_large`` …)."""
    metrics: Metrics | None = getattr(state, "metrics", None)
    if metrics is None:
        return
    reason = re.sub(r"(?<!^)(?=[A-Z])", "_", type(error).__name__).lower()
    metrics.rejected.inc(1, reason)
    if reason == "rate_limited":
        metrics.rate_limited.inc()


async def read_within(chunks: AsyncIterator[bytes], seconds: float, limit: int) -> bytes:
    """The bounded body read, cut off after ``seconds`` (a client trickling its body)."""
    try:
        async with asyncio.timeout(seconds):
            return await read_bounded(chunks, limit)
    except TimeoutError:
        raise RequestTimeout(f"the body did not arrive within {seconds:g} seconds") from None


def is_client_abort(exc: Exception) -> bool:
    """The client went away mid-request: expected on the web, not a server error."""
    return isinstance(exc, InternalServerException) and "disconnected" in str(exc.detail)
