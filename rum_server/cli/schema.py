"""``rum-server schema``: print the DDL, or apply it (``--apply``, ``--cluster``)."""

from __future__ import annotations

import argparse
import sys

from rum_server.cli.common import CliError, add_store_options, settings_from
from rum_server.storage.exporter_tables import run_migration
from rum_server.storage.schema import statements
from rum_server.storage.store import Store, StoreError, schema_target


def command(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.migrate:
        try:
            return run_migration(settings, args.cluster or "", args.apply)
        except StoreError as exc:
            raise CliError(str(exc)) from None
    target = schema_target(settings, cluster=args.cluster or "")
    ddl = statements(target)
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


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    schema = commands.add_parser("schema", help="print (or --apply) the DDL")
    add_store_options(schema)
    schema.add_argument("--apply", action="store_true", help="apply it to the configured store")
    schema.add_argument("--cluster", help="ON CLUSTER name (replicated engines)")
    schema.add_argument(
        "--migrate",
        action="store_true",
        help="print (or --apply) what makes an older exporter's table and rows ours",
    )
    schema.set_defaults(func=command)
