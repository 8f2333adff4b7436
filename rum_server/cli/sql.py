"""``rum-server sql``: run the cookbook's SQL (or any SELECT) against the store, read-only.

Like ``rum-server query``, the command opens the store itself, and when a running server
holds the embedded data directory it sends the SQL to that server's API instead
(``POST /__deco/rum/api/sql``, authenticated like every API call). Either way the query
runs with ClickHouse's ``readonly = 2`` setting: the engine itself refuses writes, DDL and
a change of ``readonly``, so nothing here parses SQL to decide what is safe. Output is
formatted by ClickHouse, as ``clickhouse-local`` does.
"""

from __future__ import annotations

import argparse
import sys
import urllib.parse
from pathlib import Path

from rum_server.cli.main import CliError, add_store_options, settings_from
from rum_server.cli.query import EXIT_STORE, EXIT_USAGE, api_base, ask_server, require_data_dir
from rum_server.query.readonly_sql import FORMATS, SqlError, run_sql
from rum_server.settings import Settings
from rum_server.storage.store import DataDirectoryLocked, Store, StoreError


def read_sql(args: argparse.Namespace) -> str:
    if args.file and args.query:
        raise CliError("give the SQL as an argument or with -f FILE, not both", EXIT_USAGE)
    if args.file == "-":
        return sys.stdin.read()
    if args.file:
        try:
            return Path(args.file).read_text(encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot read {args.file}: {exc.strerror}", EXIT_USAGE) from None
    if not args.query:
        raise CliError('give the SQL: rum-server sql "SELECT …" or -f file.sql', EXIT_USAGE)
    return str(args.query)


def answer_locally(settings: Settings, sql: str, output: str) -> bytes:
    require_data_dir(settings)
    with Store(settings) as store:
        if settings.embedded:
            print(f"rum-server: store {settings.data_path}", file=sys.stderr)
        return run_sql(store, sql, output)


def answer_from_server(settings: Settings, sql: str, output: str) -> bytes:
    url = f"{api_base(settings)}/sql?" + urllib.parse.urlencode({"format": output})
    return ask_server(settings, url, data=sql.encode("utf-8"))


def command(args: argparse.Namespace) -> int:
    """Print the answer on stdout; problems are one line on stderr and an exit code."""
    try:
        settings = settings_from(args, host=args.host, port=args.port)
        sql = read_sql(args)
        try:
            body = answer_locally(settings, sql, args.format)
        except DataDirectoryLocked:
            body = answer_from_server(settings, sql, args.format)
    except CliError as exc:
        print(f"rum-server: {exc}", file=sys.stderr)
        return exc.code
    except SqlError as exc:
        print(f"rum-server: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(f"rum-server: {exc}", file=sys.stderr)
        return EXIT_STORE
    sys.stdout.write(body.decode("utf-8", errors="replace"))
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds ``sql`` to ``rum-server``."""
    parser = subparsers.add_parser(
        "sql",
        help="run read-only SQL against the store (table, CSV, TSV, JSON)",
        description="Run one read-only SQL statement against the store, or through the "
        "running server's API when it holds the embedded data directory.",
    )
    parser.add_argument("query", nargs="?", default="", help='the SQL, e.g. "SELECT 1"')
    parser.add_argument("-f", "--file", default="", help="read the SQL from FILE (- = stdin)")
    parser.add_argument("--format", choices=list(FORMATS), default="table")
    add_store_options(parser)
    parser.add_argument("--host", help="the running server's host, for the API fallback")
    parser.add_argument("--port", type=int, help="the running server's port (RUM_PORT)")
    parser.set_defaults(func=command)
