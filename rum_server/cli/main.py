"""``rum-server``: every command is a module of this package with a ``register``.

serve, schema, query, sql, demo-data. Failures are one line on stderr and an exit code.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from rum_server import __version__
from rum_server.cli.common import CliError
from rum_server.cli.demo_data import register as demo_data
from rum_server.cli.query import register as query
from rum_server.cli.schema import register as schema
from rum_server.cli.serve import register as serve
from rum_server.cli.sql import register as sql
from rum_server.sourcemaps_cli import register as sourcemaps

COMMANDS = (serve, schema, query, sql, demo_data, sourcemaps)
"""In the order ``rum-server --help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rum-server", description="deco RUM: ingest server, schema and queries"
    )
    parser.add_argument("--version", action="version", version=f"rum-server {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(commands)
    return parser


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
