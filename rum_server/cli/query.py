"""``rum-server query …``: the reports of the registry on the command line (table, JSON, CSV).

Each report of :data:`~rum_server.query.registry.REPORTS` is a sub-command whose options
are its declared parameters. The command opens the store itself; when a running server
holds the embedded data directory (chdb allows one process per directory), it asks that
server's query API instead and says so on stderr. Failures are one line on stderr and a
non-zero exit.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import urllib.parse
from dataclasses import astuple
from typing import Any

import msgspec

from rum_server import error_reports
from rum_server.cli.common import (
    EXIT_STORE,
    EXIT_USAGE,
    CliError,
    add_server_options,
    add_store_options,
    api_base,
    ask_server,
    require_data_dir,
    settings_from,
)
from rum_server.query.registry import REPORTS, ReportSpec
from rum_server.query.reports import MAX_DAYS, Report, ReportError
from rum_server.settings import Settings
from rum_server.storage.exporter_tables import count_unnamed, unnamed_note
from rum_server.storage.rollups import RollupTables, settle
from rum_server.storage.store import DataDirectoryLocked, Store, StoreError

SHARE_COLUMNS = {"good", "needs_improvement", "poor", "of_first", "of_previous"}
CHANGE_PERCENT_COLUMNS = {"change_pct"}
METRIC_VALUE_COLUMNS = {
    "p50",
    "p75",
    "p95",
    "p75_a",
    "p75_b",
    "change",
    "change_low",
    "change_high",
}


# --- where the answer comes from -------------------------------------------------------------


def ask(
    args: argparse.Namespace, spec: ReportSpec, values: dict[str, Any], notes: bool = False
) -> Report:
    """One report, from the store or (when a server holds it) from the server's API."""
    settings = settings_from(args, host=args.host, port=args.port)
    try:
        report = answer_locally(settings, spec, values, notes)
    except DataDirectoryLocked:
        return answer_from_server(settings, spec, values)
    except ReportError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    except StoreError as exc:
        raise CliError(str(exc), EXIT_STORE) from None
    return report


def answer_locally(
    settings: Settings, spec: ReportSpec, values: dict[str, Any], notes: bool = True
) -> Report:
    """Open the store, bring the rollups up to date, run the report (``notes``: say what
    the store holds that no report counts; once per command is enough)."""
    require_data_dir(settings)
    with Store.open(settings, ensure_schema=False) as store:
        if not rollups_present(store):
            store.ensure_schema()
        settle(store)
        unnamed = count_unnamed(store, 7) if notes else 0
        report = spec.run(store, values)
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


def answer_from_server(settings: Settings, spec: ReportSpec, values: dict[str, Any]) -> Report:
    """Ask the running server's query API (it holds the embedded store)."""
    query = urllib.parse.urlencode(spec.query_string(values))
    url = f"{api_base(settings)}/{spec.name}" + (f"?{query}" if query else "")
    body = ask_server(settings, url)
    try:
        return msgspec.json.decode(body, type=Report)
    except msgspec.DecodeError:
        raise CliError(f"the server at {url} did not answer with a report", EXIT_STORE) from None


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
                " ".join(map(str, value)) if isinstance(value, list) else value
                for value in (row.get(column) for column in report.columns)
            ]
        )
    return out.getvalue()


def render(report: Report, output: str, metric: str) -> str:
    if output == "table" and "stack" in report.columns:
        return error_reports.render_detail(report)
    if output == "json":
        return msgspec.json.format(msgspec.json.encode(report).decode(), indent=2) + "\n"
    if output == "csv":
        return render_csv(report)
    return render_table(report, metric)


# --- the command ---------------------------------------------------------------------------


def values_of(args: argparse.Namespace, spec: ReportSpec) -> dict[str, Any]:
    return {param.name: getattr(args, param.name) for param in spec.params}


def run_query(args: argparse.Namespace) -> int:
    """Answer one report; problems are one line on stderr and an exit code, never a traceback."""
    spec = REPORTS[args.report]
    try:
        report = ask(args, spec, values_of(args, spec), notes=True)
        if not report.rows:
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
        sites = REPORTS["sites"]
        known = [str(row["site"]) for row in ask(args, sites, sites.parse({})).rows]
        if args.site not in known:
            raise CliError(
                f"no data for site {args.site!r}; sites with data: {', '.join(known) or 'none'}",
                EXIT_USAGE,
            )
    if args.report == "compare" and (args.a or args.b):
        vitals = REPORTS["vitals"]
        chosen = vitals.parse({"site": args.site, "days": str(MAX_DAYS), "metric": args.metric})
        listed = ask(args, vitals, {**chosen, "by": "release"})
        known = [str(row["release"]) for row in listed.rows]
        unknown = [name for name in (args.a, args.b) if name not in known]
        if unknown:
            raise CliError(
                f"no {args.metric} data for release {', '.join(map(repr, unknown))}; "
                f"releases with data: {', '.join(known) or 'none'}",
                EXIT_USAGE,
            )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds ``query`` and one sub-command per registered report to ``rum-server``."""
    query = subparsers.add_parser("query", help="the analyst's reports (table, JSON, CSV)")
    reports_parsers = query.add_subparsers(dest="report", required=True, metavar="REPORT")
    for spec in REPORTS.values():
        parser = reports_parsers.add_parser(spec.name, help=spec.help)
        add_store_options(parser)
        for param in spec.params:
            options: dict[str, Any] = {"default": param.default, "help": param.help or None}
            if param.choices:
                options["choices"] = param.choices
            if param.kind is int or param.upper:
                options["type"] = int if param.kind is int else str.upper
            parser.add_argument(param.flag, **options)
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")
        parser.add_argument("--show-sql", action="store_true", help="print the SQL on stderr")
        add_server_options(parser)
        parser.set_defaults(func=run_query)
