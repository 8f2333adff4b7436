"""``rum-server``: serve, schema, query, demo-data.

Bad configuration ends the process at start with one clear line on stderr and a
non-zero exit, never a traceback: the store is opened and the port bound before
the server starts, so their failures are caught here.
"""

from __future__ import annotations

import argparse
import errno
import logging
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from rum_server import __version__
from rum_server.settings import Settings, SettingsError, split_list
from rum_server.storage.schema import DEFAULT_KEEPER_PATH, DEFAULT_REPLICA, SchemaTarget, statements
from rum_server.storage.store import Store, StoreError, schema_target

EXIT_CONFIG = 2


class CliError(Exception):
    """A problem to report as one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_CONFIG) -> None:
        super().__init__(message)
        self.code = code


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """Options every command that touches the store shares (also RUM_* variables)."""
    parser.add_argument(
        "--dsn",
        help="chdb:///abs/path or clickhouse://user:pass@host:8123/db "
        "(RUM_CLICKHOUSE_DSN; default chdb:// + $XDG_DATA_HOME/deco-rum/store, i.e. "
        "~/.local/share/deco-rum/store; a relative path is resolved from here)",
    )
    parser.add_argument("--database", help="database (RUM_CLICKHOUSE_DATABASE; default otel)")
    parser.add_argument("--table", help="logs table (RUM_CLICKHOUSE_TABLE; default otel_logs)")


def settings_from(args: argparse.Namespace, **extra: object) -> Settings:
    """Settings from the environment with the command line's options on top, validated."""
    try:
        overrides: dict[str, Any] = {
            "dsn": args.dsn,
            "database": args.database,
            "table": args.table,
            **extra,
        }
        settings = Settings.from_env(**overrides)
    except (SettingsError, TypeError) as exc:
        raise CliError(str(exc)) from None
    problems = settings.validate()
    if problems:
        raise CliError("bad configuration: " + "; ".join(problems))
    return settings


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


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from rum_server.app import create_app
    from rum_server.ingest.connections import apply_connection_guards

    extra: dict[str, object] = {"host": args.host, "port": args.port}
    if args.sites is not None:
        extra["sites"] = split_list(args.sites)
    if args.allowed_origins is not None:
        extra["allowed_origins"] = split_list(args.allowed_origins)
    if args.query_allowlist is not None:
        extra["query_allowlist"] = split_list(args.query_allowlist)
    if args.demo:
        extra["demo"] = True
    extra["workers"] = args.workers
    extra["sinks"] = split_list(args.sink) if args.sink is not None else None
    extra["otlp_endpoint"] = args.otlp_endpoint
    settings = settings_from(args, **extra)
    sock = bind_socket(settings.host, settings.port)
    try:
        store = Store(settings)
        store.ensure_schema()
        if "spans" in settings.sinks:
            from rum_server.storage.spans import ensure_traces_table

            ensure_traces_table(store)
    except StoreError as exc:
        sock.close()
        raise CliError(str(exc)) from None
    if settings.workers > 1:
        from rum_server.cli.workers import run_workers

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
    apply_connection_guards(config, settings)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.migrate:
        from rum_server.storage.exporter_tables import run_migration

        try:
            return run_migration(settings, args.cluster or "", args.apply)
        except StoreError as exc:
            raise CliError(str(exc)) from None
    target = schema_target(settings, cluster=args.cluster or "")
    ddl = statements(target)
    if args.cluster:
        ddl = cluster_ddl(target, args.keeper_path, args.replica)
    if not args.apply:
        print(";\n\n".join(ddl) + ";")
        return 0
    try:
        with Store(settings) as store:
            store.ensure_schema() if not args.cluster else [store.command(s) for s in ddl]
    except StoreError as exc:
        raise CliError(str(exc)) from None
    print(f"schema applied to {settings.qualified_table}", file=sys.stderr)
    return 0


def cluster_ddl(target: SchemaTarget, keeper_path: str, replica: str) -> list[str]:
    """The cluster variant (rum_server.storage.cluster), its options checked first."""
    from rum_server.storage.cluster import cluster_option_problems, cluster_statements

    problems = cluster_option_problems(target.cluster, keeper_path, replica)
    if problems:
        raise CliError("bad cluster options: " + "; ".join(problems))
    return cluster_statements(replace(target, keeper_path=keeper_path, replica=replica))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rum-server", description="deco RUM: ingest server, schema and queries"
    )
    parser.add_argument("--version", action="version", version=f"rum-server {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the ingest server")
    add_store_options(serve)
    serve.add_argument("--host", help="address to listen on (RUM_HOST; default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (RUM_PORT; default 8000)")
    serve.add_argument("--sites", help="comma list of accepted site ids (RUM_SITES; default any)")
    serve.add_argument(
        "--allowed-origins",
        help="comma list of origins allowed to send beacons "
        "(RUM_ALLOWED_ORIGINS; default same origin only; * for any)",
    )
    serve.add_argument(
        "--query-allowlist",
        help="query keys whose values are kept, prefix* patterns allowed (RUM_QUERY_ALLOWLIST)",
    )
    serve.add_argument(
        "--demo",
        action="store_true",
        default=None,
        help="also serve a demo storefront page at / (RUM_DEMO)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        help="worker processes, each with its own writer; needs a ClickHouse server DSN "
        "(RUM_WORKERS; default 1)",
    )
    serve.add_argument(
        "--sink",
        help="where rows go: clickhouse, otlp, spans (browser spans in otel_traces, for "
        "ClickStack's Sessions page), or a list such as clickhouse,spans (RUM_SINK)",
    )
    serve.add_argument(
        "--otlp-endpoint",
        help="OTLP/HTTP endpoint for the otlp sink, e.g. http://collector:4318 (RUM_OTLP_ENDPOINT; "
        "headers in RUM_OTLP_HEADERS=k=v,k2=v2)",
    )
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.set_defaults(func=cmd_serve)

    schema = commands.add_parser("schema", help="print (or --apply) the DDL")
    add_store_options(schema)
    schema.add_argument("--apply", action="store_true", help="apply it to the configured store")
    schema.add_argument(
        "--cluster",
        help="ON CLUSTER name: replicated <table>_local tables and rollups on each node, "
        "<table> Distributed over them by session id",
    )
    schema.add_argument(
        "--keeper-path",
        default=DEFAULT_KEEPER_PATH,
        help=f"Keeper path of replicated tables, with --cluster (default {DEFAULT_KEEPER_PATH})",
    )
    schema.add_argument(
        "--replica",
        default=DEFAULT_REPLICA,
        help=f"replica name, with --cluster (default {DEFAULT_REPLICA}, the server's macro)",
    )
    schema.add_argument(
        "--migrate",
        action="store_true",
        help="print (or --apply) what makes an older exporter's table and rows ours",
    )
    schema.set_defaults(func=cmd_schema)

    for register in extra_commands():
        register(commands)
    return parser


def extra_commands() -> list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]]:
    """Commands that live in their own modules (query, demo-data)."""
    from rum_server.cli import demo_data
    from rum_server.cli import query as query_cli
    from rum_server.cli import sourcemaps as sourcemaps_cli
    from rum_server.cli import sql as sql_cli

    return [query_cli.register, sql_cli.register, demo_data.register, sourcemaps_cli.register]


def chosen_parser(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> argparse.ArgumentParser:
    """The deepest sub-command parser the parsed arguments went through."""
    while True:
        actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        chosen = getattr(args, actions[0].dest, None) if actions else None
        if not actions or chosen not in actions[0].choices:
            return parser
        parser = actions[0].choices[chosen]


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The driver logs every failed connection attempt; the one line we print says it all.
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    logging.getLogger("clickhouse_connect").setLevel(logging.CRITICAL)
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # a typo under a command: that command's usage, not the top level's
        chosen_parser(parser, args).error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        code: int = args.func(args)
    except CliError as exc:
        print(f"rum-server: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
