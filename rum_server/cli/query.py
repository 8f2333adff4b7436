"""``rum-server query …``: the reports on the command line, as a table, JSON or CSV.

The command opens the store itself; when a running server holds the embedded data
directory (chdb allows one process per directory), it asks that server's query API
instead and says so on stderr. Failures are one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import astuple
from pathlib import Path
from typing import Any

import msgspec

from rum_server.cli.csv_safe import safe_cell
from rum_server.cli.options import CliError, add_store_options, settings_from
from rum_server.query import error_reports, reports
from rum_server.query.registry import (
    REPORTS,
    Builder,
    Param,
    ReportSpec,
    Values,
    columns_with,
    filter_params,
)
from rum_server.query.reports import Report, ReportError
from rum_server.settings import Settings
from rum_server.storage.exporter_tables import count_unnamed, unnamed_note
from rum_server.storage.rollups import RollupTables, settle
from rum_server.storage.store import DataDirectoryLocked, Store, StoreError

EXIT_STORE = 1
EXIT_USAGE = 2
API_TIMEOUT_SECONDS = 60.0

SHARE_COLUMNS = columns_with("share")
CHANGE_PERCENT_COLUMNS = columns_with("percent")
METRIC_VALUE_COLUMNS = columns_with("metric")


# --- what each sub-command asks ------------------------------------------------------------


def request_for(args: argparse.Namespace) -> tuple[ReportSpec, dict[str, Any], Builder]:
    """(the report, its parameter values, the local executor) for the parsed options."""
    spec = REPORTS[args.report]
    values = spec.values(vars(args))
    return spec, values, spec.prepare(values)


# --- where the answer comes from -------------------------------------------------------------


def require_data_dir(settings: Settings) -> None:
    """An embedded store must exist before a read: say how to make one instead of an
    empty answer (shared by ``query`` and ``sql``)."""
    if settings.embedded and not Path(settings.data_path).is_dir():
        raise CliError(
            f"no data directory at {settings.data_path} (seed it with rum-server demo-data, "
            "start rum-server serve, or pass --dsn)",
            EXIT_USAGE,
        )


def answer_locally(settings: Settings, build: Builder, notes: bool = True) -> Report:
    """Open the store, bring the rollups up to date, run the report (``notes``: say what
    the store holds that no report counts; once per command is enough)."""
    require_data_dir(settings)
    with Store(settings) as store:
        if not rollups_present(store):
            store.ensure_schema()
        settle(store)
        unnamed = count_unnamed(store, 7) if notes else 0
        report = build(store)
    if notes and settings.embedded:  # first, so an empty answer is never a store elsewhere
        print(f"rum-server: store {settings.data_path}", file=sys.stderr)
    if unnamed:
        print(f"rum-server: note: {unnamed_note(unnamed, 7)}", file=sys.stderr)
    return report


def rollups_present(store: Store) -> bool:
    """True when the schema (with its rollups) is in place, so the CLI need not apply it."""
    tables = RollupTables.in_database(store.settings.database)
    wanted = [name.split(".", 1)[1] for name in astuple(tables)]
    rows = store.query(
        "SELECT count() FROM system.tables WHERE database = {db:String} "
        "AND name IN {names:Array(String)}",
        {"db": store.settings.database, "names": wanted},
    )
    return bool(rows) and rows[0][0] == len(wanted) and bool(store.table_columns())


def api_base(settings: Settings) -> str:
    host = "127.0.0.1" if settings.host in ("", "0.0.0.0") else settings.host
    host = "[::1]" if host == "::" else (f"[{host}]" if ":" in host else host)
    return f"http://{host}:{settings.port}/__deco/rum/api"


def ask_server(settings: Settings, url: str, data: bytes | None = None) -> bytes:
    """GET (or POST ``data`` to) the running server's API, which holds the embedded store;
    says so on stderr, sends the token, maps failures to one-line errors."""
    print(
        f"rum-server: the data directory is in use by a running server; asking it at {url}",
        file=sys.stderr,
    )
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/json"})
    if data is not None:
        request.add_header("Content-Type", "text/plain; charset=utf-8")
    if settings.api_token:
        request.add_header("Authorization", f"Bearer {settings.api_token}")
    try:
        with urllib.request.urlopen(request, timeout=API_TIMEOUT_SECONDS) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        detail = error_detail(exc.read())
        code = EXIT_USAGE if exc.code == 400 else EXIT_STORE
        raise CliError(f"the server answered {exc.code}: {detail}", code) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CliError(
            f"the data directory is locked but no server answers at {url}: {reason} "
            "(pass --host/--port, or set RUM_HOST/RUM_PORT, to the running server's)",
            EXIT_STORE,
        ) from None


def answer_from_server(settings: Settings, spec: ReportSpec, values: Values) -> Report:
    """Ask the running server's query API (it holds the embedded store)."""
    query = urllib.parse.urlencode(spec.query_string(values))
    url = f"{api_base(settings)}/{spec.name}" + (f"?{query}" if query else "")
    body = ask_server(settings, url)
    try:
        return msgspec.json.decode(body, type=Report)
    except msgspec.DecodeError:
        raise CliError(f"the server at {url} did not answer with a report", EXIT_STORE) from None


def error_detail(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return body.decode(errors="replace")[:200]
    if isinstance(data, dict):
        return str(data.get("detail") or data.get("error") or data)
    return str(data)


# --- output --------------------------------------------------------------------------------


def format_cell(column: str, value: object, row: dict[str, object], metric: str) -> str:
    """Readable text: ms rounded, CLS with 3 decimals, shares as %, thousands separated."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if column in ("first_seen", "last_seen") and isinstance(value, str):
        return value[:19].replace("T", " ")
    if isinstance(value, float) and value != value:  # NaN: no samples
        return "-"
    if isinstance(value, int | float):
        if column in SHARE_COLUMNS:
            return f"{value * 100:.1f}%"
        if column in CHANGE_PERCENT_COLUMNS:
            return f"{value:+.1f}%"
        if column in METRIC_VALUE_COLUMNS:
            row_metric = str(row.get("metric") or metric)
            signed = "+" if column.startswith("change") else ""
            if row_metric == "CLS":  # a unitless score
                return f"{value:{signed}.3f}"
            return f"{value:{signed},.0f} ms"
        if isinstance(value, int):
            return f"{value:,}"
        return f"{value:,.2f}"
    return str(value)


def render_table(report: Report, metric: str) -> str:
    if not report.rows:
        return f"(no rows: {report.note or 'no data for these filters'})\n"
    cells = [
        [format_cell(column, row.get(column), row, metric) for column in report.columns]
        for row in report.rows
    ]
    widths = [
        max(len(column), *(len(line[i]) for line in cells))
        for i, column in enumerate(report.columns)
    ]
    numeric = [
        all(isinstance(row.get(column), int | float) for row in report.rows)
        for column in report.columns
    ]

    def line(values: list[str]) -> str:
        parts = [
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(report.columns), rule, *(line(values) for values in cells)]) + "\n"


def render_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(report.columns)
    for row in report.rows:
        writer.writerow(
            [
                safe_cell(" ".join(map(str, value)) if isinstance(value, list) else value)
                for value in (row.get(column) for column in report.columns)
            ]
        )
    return out.getvalue()


def render(report: Report, output: str, metric: str) -> str:
    if output == "json":
        return msgspec.json.format(msgspec.json.encode(report).decode(), indent=2) + "\n"
    if output == "csv":
        return render_csv(report)
    if "stack" in report.columns:
        return error_reports.render_detail(report)
    return render_table(report, metric)


# --- the command ---------------------------------------------------------------------------


def run_query(args: argparse.Namespace) -> int:
    """Answer one report; problems are one line on stderr and an exit code, never a traceback."""
    try:
        report = fetch_report(args)
    except CliError as exc:
        print(f"rum-server: {exc}", file=sys.stderr)
        return exc.code
    if not report.rows:
        try:
            explain_empty(args)
        except CliError as exc:
            print(f"rum-server: {exc}", file=sys.stderr)
            return exc.code
    sys.stdout.write(render(report, args.format, getattr(args, "metric", "")))
    if args.show_sql:
        print(f"\n-- SQL\n{report.sql}", file=sys.stderr)
    return 0


def explain_empty(args: argparse.Namespace) -> None:
    """An empty answer for a site or release the store has never seen is a typo, not an
    empty state: say which ones exist and fail, so a script notices too."""
    if args.site:
        known = [str(row["site"]) for row in ask_report(args, "sites", {}).rows]
        if args.site not in known:
            raise CliError(
                f"no data for site {args.site!r}; sites with data: {', '.join(known) or 'none'}",
                EXIT_USAGE,
            )
    if args.report == "compare" and (args.a or args.b):
        given = {"site": args.site, "days": reports.MAX_DAYS, "metric": args.metric}
        listed = ask_report(args, "vitals", {**given, "by": "release"})
        known = [str(row["release"]) for row in listed.rows]
        unknown = [name for name in (args.a, args.b) if name not in known]
        if unknown:
            raise CliError(
                f"no {args.metric} data for release {', '.join(map(repr, unknown))}; "
                f"releases with data: {', '.join(known) or 'none'}",
                EXIT_USAGE,
            )


def ask_report(args: argparse.Namespace, name: str, given: dict[str, Any]) -> Report:
    """Another registered report than the command's, with ``given`` values."""
    spec = REPORTS[name]
    values = spec.values(given)
    return ask(args, spec, values, spec.prepare(values))


def ask(
    args: argparse.Namespace,
    spec: ReportSpec,
    values: Values,
    build: Builder,
    notes: bool = False,
) -> Report:
    """One report, from the store or (when a server holds it) from the server's API."""
    settings = settings_from(args, host=args.host, port=args.port)
    try:
        return answer_locally(settings, build, notes=notes)
    except DataDirectoryLocked:
        return answer_from_server(settings, spec, values)
    except ReportError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    except StoreError as exc:
        raise CliError(str(exc), EXIT_STORE) from None


def fetch_report(args: argparse.Namespace) -> Report:
    """The command's report, with the store's notes (once per command)."""
    settings_from(args, host=args.host, port=args.port)  # settings errors come first
    try:
        spec, values, build = request_for(args)
    except ReportError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    return ask(args, spec, values, build, notes=True)


def add_param(parser: argparse.ArgumentParser, param: Param) -> None:
    """One registered parameter as an option (its flags, type, default, choices, help)."""
    options: dict[str, Any] = {"default": param.default, "help": param.help or None}
    if param.choices:
        options["choices"] = param.choices
    if param.kind is int:
        options["type"] = int
    elif param.upper:
        options["type"] = str.upper
    parser.add_argument(*param.flags, **options)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds ``query`` and one sub-command per registered report to ``rum-server``."""
    query = subparsers.add_parser("query", help="the analyst's reports (table, JSON, CSV)")
    reports_parsers = query.add_subparsers(dest="report", required=True, metavar="REPORT")
    for spec in REPORTS.values():
        parser = reports_parsers.add_parser(spec.name, help=spec.help)
        add_store_options(parser)
        for param in filter_params(spec.days):  # every sub-command shows them
            add_param(parser, param)
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")
        parser.add_argument("--show-sql", action="store_true", help="print the SQL on stderr")
        parser.add_argument("--host", help="the running server's host, for the API fallback")
        parser.add_argument("--port", type=int, help="the running server's port (RUM_PORT)")
        parser.set_defaults(func=run_query)
        for param in spec.params:
            add_param(parser, param)
