"""The Litestar application: ``create_app(settings)`` and a router for existing apps.

Long-lived things (the store client, the writer thread, the pipeline, the snippet
files) are opened in the lifespan and live on ``app.state``; nothing is read from
the environment here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar, Request, Response, Router, get
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.types import ControllerRouterHandler

from rum_server import __version__
from rum_server.ingest.handler import ingest
from rum_server.ingest.rate_limit import RateLimiter
from rum_server.operation import (
    close_metrics,
    metrics_route,
    open_metrics,
    register_queue_gauges,
)
from rum_server.query.api import api_routes
from rum_server.query.hosts import require_allowed_host
from rum_server.settings import Settings
from rum_server.sourcemaps.api import sourcemap_routes
from rum_server.sourcemaps.store import INGEST_BUDGET_SECONDS
from rum_server.sourcemaps.symbolicator import stack_symbolicator
from rum_server.storage.exporter_tables import unnamed_known, unnamed_note
from rum_server.storage.label_values import seed_from_store
from rum_server.storage.settler import Settler
from rum_server.storage.sinks import WriterGroup, open_writer
from rum_server.storage.store import Store, StoreError
from rum_server.storage.writer import Writer
from rum_server.transform.pipeline import Pipeline
from rum_server.transform.user_agent import load_rules
from rum_server.web.dashboard import dashboard_routes
from rum_server.web.snippet_files import load_snippets, serve_snippet

log = logging.getLogger("rum_server")


@get("/__deco/rum/health", summary="Store and queue health", tags=["operations"])
async def health(request: Request[object, object, State]) -> Response[dict[str, object]]:
    """From the writer's figures only (no store call): milliseconds under any load.

    200 "ok"; 200 "degraded" when segments were dead-lettered; 503 when the writer
    last found the store unreachable.
    """
    state = request.app.state
    writer: Writer | WriterGroup = state.writer
    stats = writer.stats
    dead_letters = writer.dead_letter_count()
    status = "ok" if not dead_letters else "degraded"
    if not stats.store_ok:
        status = "store unavailable"
    body: dict[str, object] = {
        "status": status,
        "version": __version__,
        "store": "ok" if stats.store_ok else "unavailable",
        "queue": {
            "rows": stats.queued_rows,
            "bytes": stats.queued_bytes,
            "capacity": state.settings.queue_max_rows,
            "capacity_bytes": state.settings.queue_max_bytes,
        },
        "written_rows": stats.written_rows,
        "failed_writes": stats.failed_writes,
        "rejected_batches": stats.rejected_batches,
        "dead_letters": dead_letters,
    }
    if state.settings.embedded:  # so "an empty store" is never a store somewhere else
        body["data_dir"] = state.settings.data_path
    if stats.last_error:
        body["last_error"] = stats.last_error
    pipeline: Pipeline = state.pipeline
    body["labels"] = pipeline.label_stats.snapshot()
    unnamed = unnamed_known(state.store)  # counted by the settler thread, not here
    if unnamed:
        body["unnamed_rum_rows"] = unnamed
        body["note"] = unnamed_note(unnamed, 7)
    return Response(body, status_code=200 if stats.store_ok else 503)


def route_handlers(settings: Settings) -> list[ControllerRouterHandler]:
    """Every handler of the RUM server, for ``create_app`` and for mounting elsewhere."""
    handlers: list[ControllerRouterHandler] = [ingest, health, serve_snippet, metrics_route]
    handlers += api_routes()
    handlers += sourcemap_routes()
    handlers.append(Router("/", route_handlers=dashboard_routes(), guards=[require_allowed_host]))
    if settings.demo:
        from rum_server.web.demo_routes import demo_routes

        handlers += demo_routes()
    return handlers


def open_state(settings: Settings, state: State, store: Store | None = None) -> None:
    """Open the store (unless given, already checked), apply the schema, start the writer."""
    if store is None:
        store = Store(settings)
        try:
            store.ensure_schema()
        except Exception:
            store.close()
            raise
    metrics = open_metrics(state)
    writer = open_writer(settings, store, metrics)
    writer.start()
    register_queue_gauges(metrics, writer)
    state.settings = settings
    state.store = store
    state.writer = writer
    state.pipeline = Pipeline(settings, stack_symbolicator(settings, INGEST_BUDGET_SECONDS))
    seed_label_budget(state.pipeline, store)
    state.rate_limiter = (
        RateLimiter(settings.rate_limit, burst=max(1.0, 2 * settings.rate_limit))
        if settings.rate_limit
        else None
    )
    state.settler = Settler(store)
    state.settler.start()
    log.info("User-Agent parser: %s", load_rules())
    state.snippets = load_snippets()


def seed_label_budget(pipeline: Pipeline, store: Store) -> None:
    """Start the label budget from the values stored today, so a restart or another
    worker does not reopen it; a store that cannot answer yet starts it empty (logged)."""
    try:
        seeded = seed_from_store(pipeline.labels, store, time.time_ns())
    except StoreError as exc:
        log.warning("the label budget starts empty: %s", exc)
        return
    log.info("label budget: %d stored label values seeded", seeded)


def close_state(state: State) -> None:
    """Stop settling, flush the writer, then close the store: the order matters."""
    settler: Settler | None = getattr(state, "settler", None)
    if settler is not None:
        settler.close()
    writer: Writer | None = getattr(state, "writer", None)
    if writer is not None:
        writer.close()
    close_metrics(state)
    store: Store | None = getattr(state, "store", None)
    if store is not None:
        store.close()


def rum_lifespan(
    settings: Settings, store: Store | None = None
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """A lifespan context manager that owns the store and the writer."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        open_state(settings, app.state, store)
        try:
            yield
        finally:
            close_state(app.state)

    return lifespan


def create_app(settings: Settings, store: Store | None = None) -> Litestar:
    """The RUM server as a standalone Litestar app (``store``: one the caller already opened)."""
    return Litestar(
        route_handlers=route_handlers(settings),
        lifespan=[rum_lifespan(settings, store)],
        openapi_config=OpenAPIConfig(title="deco RUM", version=__version__, path="/schema"),
        state=State({"settings": settings}),
    )


def create_router(settings: Settings) -> Router:
    """The RUM handlers as a router to mount into an existing Litestar app.

    The host app must also add ``rum_lifespan(settings)`` to its lifespans.
    """
    return Router(path="/", route_handlers=route_handlers(settings))
