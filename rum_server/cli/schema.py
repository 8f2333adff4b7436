"""``rum-server schema``: print the DDL, or apply it (``--apply``, ``--cluster``)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from rum_server.cli.common import CliError, add_store_options, settings_from
from rum_server.storage.cluster import cluster_option_problems, cluster_statements
from rum_server.storage.exporter_tables import run_migration
from rum_server.storage.schema import (
    DEFAULT_KEEPER_PATH,
    DEFAULT_REPLICA,
    SchemaTarget,
    statements,
)
from rum_server.storage.store import Store, StoreError, schema_target


def command(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.migrate:
        try:
            return run_migration(settings, args.cluster or "", args.apply)
        except StoreError as exc:
            raise CliError(str(exc)) from None
    target = schema_target(settings, cluster=args.cluster or "")
    ddl = (
        cluster_ddl(target, args.keeper_path, args.replica) if args.cluster else statements(target)
    )
    if not args.apply:
        print(";\n\n".join(ddl) + ";")
        return 0
    try:
        with Store.open(settings, ensure_schema=not args.cluster) as store:
            for statement in ddl if args.cluster else []:
                store.command(statement)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    print(f"schema applied to {settings.qualified_table}", file=sys.stderr)
    return 0


def cluster_ddl(target: SchemaTarget, keeper_path: str, replica: str) -> list[str]:
    """The cluster variant (storage/cluster.py), its options checked first."""
    problems = cluster_option_problems(target.cluster, keeper_path, replica)
    if problems:
        raise CliError("bad cluster options: " + "; ".join(problems))
    return cluster_statements(replace(target, keeper_path=keeper_path, replica=replica))


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    schema.set_defaults(func=command)
