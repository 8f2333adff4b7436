"""Self-metrics wiring: the registry of one app, the queue gauges and the metrics route.

Kept apart from :mod:`rum_server.app` so the app only gains one call per mechanism.
"""

from __future__ import annotations

from typing import Protocol

from litestar import Request, Response, get
from litestar.datastructures import State

from rum_server.metrics import CONTENT_TYPE, Metrics, hooks
from rum_server.storage.writer import WriterStats

METRICS_PATH = "/__deco/rum/metrics"


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
