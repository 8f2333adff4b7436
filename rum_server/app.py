"""The composition root: every stage wired together, as an app or as a Litestar plugin.

``create_app(settings)`` is the standalone server; ``RumPlugin(settings)`` mounts the
same routes, lifespan and state into an existing Litestar app
(``Litestar(plugins=[RumPlugin(settings)])``). Long-lived things (the store client,
the writer thread, the pipeline, the snippet files) are opened in the lifespan and
live on ``app.state``; nothing is read from the environment here. This is the only
module that knows every stage.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar, Router
from litestar.config.app import AppConfig
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.plugins import InitPluginProtocol
from litestar.types import ControllerRouterHandler

from rum_server import __version__
from rum_server.ingest.handler import ingest
from rum_server.ingest.rate_limit import RateLimiter
from rum_server.query.api import api_routes
from rum_server.settings import Settings
from rum_server.sourcemap_fetch import stack_symbolicator
from rum_server.sourcemaps import INGEST_BUDGET_SECONDS
from rum_server.sourcemaps_api import sourcemap_routes
from rum_server.storage.settler import Settler
from rum_server.storage.sinks import open_writer
from rum_server.storage.store import Store
from rum_server.storage.writer import Writer
from rum_server.transform.enrich.user_agent import load_rules
from rum_server.transform.pipeline import Pipeline
from rum_server.web.contract_routes import contract_handler
from rum_server.web.dashboard import dashboard_routes
from rum_server.web.demo_routes import demo_routes
from rum_server.web.health import health
from rum_server.web.snippet_files import load_snippets, serve_snippet

log = logging.getLogger("rum_server")


def route_handlers(settings: Settings) -> list[ControllerRouterHandler]:
    """Every handler of the RUM server, for ``create_app`` and for mounting elsewhere."""
    handlers: list[ControllerRouterHandler] = [ingest, health, serve_snippet, contract_handler]
    handlers += api_routes()
    handlers += sourcemap_routes()
    handlers += dashboard_routes()
    if settings.demo:
        handlers += demo_routes()
    return handlers


def open_state(settings: Settings, state: State, store: Store | None = None) -> None:
    """Open the store (unless given, already checked), apply the schema, start the writer."""
    if store is None:
        store = Store.open(settings)
    state.settings = settings
    writer = open_writer(settings, store)
    writer.start()
    state.store = store
    state.writer = writer
    state.pipeline = Pipeline(settings, stack_symbolicator(settings, INGEST_BUDGET_SECONDS))
    state.rate_limiter = (
        RateLimiter(settings.rate_limit, burst=max(1.0, 2 * settings.rate_limit))
        if settings.rate_limit
        else None
    )
    state.settler = Settler(store)
    state.settler.start()
    log.info("User-Agent parser: %s", load_rules())
    state.snippets = load_snippets()


def close_state(state: State) -> None:
    """Stop settling, flush the writer, then close the store: the order matters."""
    settler: Settler | None = getattr(state, "settler", None)
    if settler is not None:
        settler.close()
    writer: Writer | None = getattr(state, "writer", None)
    if writer is not None:
        writer.close()
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


class RumPlugin(InitPluginProtocol):
    """deco RUM inside any Litestar app: its routes, and a lifespan that owns the store.

    ``store``: one the caller already opened (and checked), as ``rum-server serve`` does.
    """

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.route_handlers.extend(route_handlers(self.settings))
        app_config.lifespan.append(rum_lifespan(self.settings, self.store))
        return app_config


def create_app(settings: Settings, store: Store | None = None) -> Litestar:
    """The RUM server as a standalone Litestar app (``store``: one the caller already opened)."""
    return Litestar(
        plugins=[RumPlugin(settings, store)],
        openapi_config=OpenAPIConfig(title="deco RUM", version=__version__, path="/schema"),
        state=State({"settings": settings}),
    )


def create_router(settings: Settings) -> Router:
    """The RUM handlers as a router to mount into an existing Litestar app.

    The host app must also add ``rum_lifespan(settings)`` to its lifespans; ``RumPlugin``
    does both in one step.
    """
    return Router(path="/", route_handlers=route_handlers(settings))
