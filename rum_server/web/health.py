"""``GET /__deco/rum/health``: is the store answering, and how full is the write queue."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.datastructures import State

from rum_server import __version__
from rum_server.storage.exporter_tables import unnamed_note, unnamed_recently
from rum_server.storage.store import Store
from rum_server.storage.writer import Writer


@get(
    "/__deco/rum/health", summary="Store and queue health", tags=["operations"], sync_to_thread=True
)
def health(request: Request[object, object, State]) -> Response[dict[str, object]]:
    """200 when the store answers, 503 otherwise; with the writer's counters."""
    state = request.app.state
    store: Store = state.store
    writer: Writer = state.writer
    store_ok = store.ping()
    stats = writer.stats
    body: dict[str, object] = {
        "status": "ok" if store_ok else "store unavailable",
        "version": __version__,
        "store": "ok" if store_ok else "unavailable",
        "queue": {"rows": stats.queued_rows, "capacity": state.settings.queue_max_rows},
        "written_rows": stats.written_rows,
        "failed_writes": stats.failed_writes,
        "rejected_batches": stats.rejected_batches,
    }
    if state.settings.embedded:  # so "an empty store" is never a store somewhere else
        body["data_dir"] = state.settings.data_path
    if stats.last_error:
        body["last_error"] = stats.last_error
    unnamed = unnamed_recently(store) if store_ok else 0
    if unnamed:
        body["unnamed_rum_rows"] = unnamed
        body["note"] = unnamed_note(unnamed, 7)
    return Response(body, status_code=200 if store_ok else 503)
