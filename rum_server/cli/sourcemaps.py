"""``rum-server sourcemaps upload|list|delete``: manage the maps errors are symbolicated with.

The maps are plain files under the map directory (``RUM_SOURCEMAP_DIR``, by default
beside the embedded store's data directory), so these commands work whether or not a
server is running: a running server sees an upload at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from rum_server.cli.main import CliError, add_store_options, settings_from
from rum_server.sourcemaps.store import (
    MapEntry,
    SourceMapError,
    SourceMapStore,
    check_release,
    check_site,
)

EXIT_USAGE = 2


def one_line_errors(command: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
    """Problems as one line on stderr and an exit code (also under ``python -m``)."""

    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except CliError as exc:
            print(f"rum-server: {exc}", file=sys.stderr)
            return exc.code

    return run


def store_from(args: argparse.Namespace) -> SourceMapStore:
    settings = settings_from(args, sourcemap_dir=args.sourcemap_dir)
    return SourceMapStore(settings.sourcemap_path, settings.sourcemap_max_bytes)


def cmd_upload(args: argparse.Namespace) -> int:
    store = store_from(args)
    try:
        check_site(args.site)
        check_release(args.release)
        entries = store.upload_directory(args.site, args.release, Path(args.dir), args.url_prefix)
    except SourceMapError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    for entry in entries:
        source = "with its minified file" if entry.with_source else "map only"
        print(f"{entry.path}  {entry.size:,} B  ({source})")
    print(
        f"{len(entries)} map(s) stored for site {args.site}, release {args.release} "
        f"in {store.root}",
        file=sys.stderr,
    )
    return 0


def render_entries(entries: list[MapEntry], output: str) -> str:
    if output == "json":
        return json.dumps([asdict(entry) for entry in entries], indent=2) + "\n"
    if not entries:
        return "(no source maps: upload some with `rum-server sourcemaps upload`)\n"
    header = ("site", "release", "path", "bytes", "uploaded", "minified file")
    rows = [
        (e.site, e.release, e.path, f"{e.size:,}", e.uploaded, "yes" if e.with_source else "no")
        for e in entries
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines) + "\n"


def cmd_list(args: argparse.Namespace) -> int:
    store = store_from(args)
    try:
        entries = store.list(args.site, args.release)
    except SourceMapError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    sys.stdout.write(render_entries(entries, args.format))
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    store = store_from(args)
    try:
        count = store.delete(args.site, args.release, args.path)
    except SourceMapError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    what = f"path {args.path}" if args.path else f"release {args.release}"
    if not count:
        raise CliError(f"no source map stored for site {args.site}, {what}", EXIT_USAGE)
    print(f"{count} map(s) deleted for site {args.site}, {what}", file=sys.stderr)
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    add_store_options(parser)
    parser.add_argument(
        "--sourcemap-dir",
        help="where maps are kept (RUM_SOURCEMAP_DIR; default beside the data directory)",
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds ``sourcemaps`` and its sub-commands to ``rum-server``."""
    command = subparsers.add_parser("sourcemaps", help="upload, list and delete source maps")
    actions = command.add_subparsers(dest="action", required=True, metavar="ACTION")

    upload = actions.add_parser(
        "upload", help="store every *.map under DIR (with the minified file beside it)"
    )
    _common(upload)
    upload.add_argument("--site", required=True, help="site id (ServiceName)")
    upload.add_argument("--release", required=True, help="release (service.version)")
    upload.add_argument(
        "--url-prefix",
        default="/",
        help="URL path DIR is served under: with /static, DIR/js/app.js.map is the map of "
        "/static/js/app.js (default /)",
    )
    upload.add_argument("dir", metavar="DIR", help="build output holding *.js and *.js.map")
    upload.set_defaults(func=one_line_errors(cmd_upload))

    listing = actions.add_parser("list", help="stored maps")
    _common(listing)
    listing.add_argument("--site", default="", help="one site (default all)")
    listing.add_argument("--release", default="", help="one release (default all)")
    listing.add_argument("--format", choices=["table", "json"], default="table")
    listing.set_defaults(func=one_line_errors(cmd_list))

    delete = actions.add_parser("delete", help="delete a release's maps (or one --path)")
    _common(delete)
    delete.add_argument("--site", required=True)
    delete.add_argument("--release", required=True)
    delete.add_argument("--path", default="", help="only the map of this script URL path")
    delete.set_defaults(func=one_line_errors(cmd_delete))
