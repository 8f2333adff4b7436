"""Read-only SQL against the store, formatted by ClickHouse: for ``rum-server sql`` and the API.

Read-only is ClickHouse's own ``readonly = 2`` setting: the engine refuses writes, DDL and
any change of ``readonly`` itself, so nothing here parses SQL to decide what is safe.
"""

from __future__ import annotations

from rum_server.storage.store import Store, StoreError

FORMATS = {
    "table": "PrettyCompactMonoBlock",
    "csv": "CSVWithNames",
    "tsv": "TSVWithNames",
    "json": "JSON",
}
READ_ONLY: dict[str, object] = {
    "readonly": 2,  # reads and SETTINGS clauses only; readonly itself cannot be lowered
    "max_execution_time": 120,
    "output_format_pretty_row_numbers": 0,
    "output_format_pretty_color": 0,
}


class SqlError(ValueError):
    """The store refused the SQL (syntax, unknown table, a write in read-only mode)."""


def run_sql(store: Store, sql: str, output: str) -> bytes:
    """One statement's answer in ``output`` format (a key of FORMATS), read-only."""
    statement = sql.strip().rstrip(";").strip()
    if not statement:
        raise SqlError("no SQL given")
    if output not in FORMATS:
        raise SqlError(f"format must be one of {', '.join(FORMATS)}, got {output!r}")
    try:
        return store.query_formatted(statement, FORMATS[output], READ_ONLY)
    except StoreError as exc:
        if "DB::Exception" in str(exc):  # the engine answered: the SQL is at fault
            raise SqlError(str(exc)) from None
        raise
