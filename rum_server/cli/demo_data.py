"""``rum-server demo-data``: seed the store with the synthetic storefront of web/demo_data.py."""

from __future__ import annotations

import argparse
import sys

from rum_server.cli.common import CliError, add_store_options, settings_from
from rum_server.settings import Settings
from rum_server.storage.store import DataDirectoryLocked, Store, StoreError
from rum_server.web.demo import DEMO_SITE
from rum_server.web.demo_data import CHUNK_ROWS, Seed, seed_store


def command(args: argparse.Namespace) -> int:
    """Seed, then say what was written; problems are one line on stderr and exit code 2."""
    try:
        if args.rows < 1 or not 1 <= args.days <= 90:
            raise CliError("--rows must be positive and --days between 1 and 90")
        settings = settings_from(args)
        seed = Seed(rows=args.rows, days=args.days, site=args.site, seed=args.seed)
        total = seed_settings(settings, seed, progress=args.rows > CHUNK_ROWS)
    except CliError as exc:
        print(f"rum-server: {exc}", file=sys.stderr)
        return exc.code
    print(
        f"demo-data: wrote {total:,} rows for site {seed.site!r} over {seed.days} days "
        f"into {settings.qualified_table}"
        + (f" at {settings.data_path}" if settings.embedded else ""),
        file=sys.stderr,
    )
    return 0


def seed_settings(settings: Settings, seed: Seed, progress: bool) -> int:
    try:
        with Store.open(settings) as store:
            return seed_store(store, seed, progress=progress)
    except DataDirectoryLocked:
        raise CliError(
            f"the store {settings.data_path} is in use by a running rum-server serve: stop it, "
            "run demo-data, then start it again (the embedded store allows one process)"
        ) from None
    except StoreError as exc:
        raise CliError(str(exc)) from None


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("demo-data", help="seed the store with synthetic traffic")
    add_store_options(parser)
    parser.add_argument("--rows", type=int, default=100_000, help="about this many rows")
    parser.add_argument("--days", type=int, default=7, help="spread over the last D days")
    parser.add_argument("--site", default=DEMO_SITE, help=f"site id (default {DEMO_SITE})")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
    parser.set_defaults(func=command)
