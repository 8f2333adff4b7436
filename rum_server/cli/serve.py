"""``rum-server serve``: check the configuration, bind the port, open the store, run.

The store is opened and the port bound before the server starts, so their failures
are one line at start, never a traceback later.
"""

from __future__ import annotations

import argparse
import errno
import socket
import sys

from rum_server.cli.common import CliError, add_store_options, settings_from
from rum_server.cli.workers import run_workers
from rum_server.settings import add_flags, flag_values
from rum_server.storage.spans import ensure_traces_table
from rum_server.storage.store import Store, StoreError

SERVE_OPTIONS = (
    "host",
    "port",
    "sites",
    "allowed_origins",
    "query_allowlist",
    "demo",
    "workers",
    "sinks",
    "otlp_endpoint",
)
"""The settings ``serve`` offers as flags (declared, with their help, in settings.py)."""


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind the listening socket now, so "port in use" is a clear error at start."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise CliError(f"port {port} on {host} is already in use") from None
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def command(args: argparse.Namespace) -> int:
    # Imported here so the other commands start without loading the web stack.
    import uvicorn

    from rum_server.app import create_app

    settings = settings_from(args, **flag_values(args, SERVE_OPTIONS))
    sock = bind_socket(settings.host, settings.port)
    try:
        store = Store.open(settings)
        if "spans" in settings.sinks:
            ensure_traces_table(store)
    except StoreError as exc:
        sock.close()
        raise CliError(str(exc)) from None
    if settings.workers > 1:
        store.close()
        print(f"deco RUM: {settings.workers} workers on port {settings.port}", file=sys.stderr)
        return run_workers(settings, sock, args.log_level)
    app = create_app(settings, store=store)
    where = f"http://{settings.host}:{settings.port}"
    print(f"deco RUM listening on {where} (store {settings.dsn.split('@')[-1]})", file=sys.stderr)
    if settings.demo:
        print(
            f"demo storefront: {where}/   dashboard: {where}/__deco/rum/dashboard", file=sys.stderr
        )
    config = uvicorn.Config(
        app, log_level=args.log_level, access_log=False, lifespan="on", timeout_graceful_shutdown=10
    )
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="run the ingest server")
    add_store_options(serve)
    add_flags(serve, SERVE_OPTIONS)
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.set_defaults(func=command)
