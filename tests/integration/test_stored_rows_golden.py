"""The rows docs/examples/*.json store, column for column, match a file captured before the
storage code was reshaped (issue 8): a refactoring must not change one stored byte.

Volatile values are normalised: a row's Timestamp becomes its distance from the newest
row of its page view (the receive time is the wall clock), rollup days and times become
placeholders, and rollups are read with FINAL (how inserts were split into parts
varies). Aggregate-function states are binary and engine-internal, so they are left
out; the plain columns of every rollup are kept. Regenerate the file only for an
intended change:

    PYTHONPATH=. python -m tests.integration.test_stored_rows_golden
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from rum_server.app import create_app
from rum_server.settings import Settings
from rum_server.storage.rollups import settle
from rum_server.storage.store import Store
from tests.conftest import EXAMPLES, make_settings

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "example_rows.golden.json"
HEADERS = {
    "content-type": "text/plain;charset=UTF-8",
    "user-agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36"
    ),
    "cf-ipcountry": "br",
}


def plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return "<time>"
    if isinstance(value, dict):
        return {key: plain(item) for key, item in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def table_rows(store: Store, table: str) -> list[dict[str, Any]]:
    """Every non-aggregate-state column of ``table`` (MATERIALIZED ones included)."""
    columns = [
        name
        for name, ctype in store.query(
            "SELECT name, type FROM system.columns WHERE database = {db:String} "
            "AND table = {table:String} ORDER BY position",
            {"db": store.settings.database, "table": table},
        )
        if not ctype.startswith("AggregateFunction")
    ]
    listed = ", ".join(
        "toUnixTimestamp64Nano(Timestamp)"
        if (table, name) == (store.settings.table, "Timestamp")
        else f"`{name}`"
        for name in columns
    )
    engine = store.query(
        "SELECT engine FROM system.tables WHERE database = {db:String} AND name = {table:String}",
        {"db": store.settings.database, "table": table},
    )[0][0]
    final = " FINAL" if engine.startswith(("Aggregating", "Replacing")) else ""  # parts merged
    rows = store.query(f"SELECT {listed} FROM {store.settings.database}.{table}{final}")
    return [dict(zip(columns, row, strict=True)) for row in rows]


def logs_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Timestamp as nanoseconds before the newest row of the same page view."""
    newest: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["ServiceName"], row["LogAttributes"]["rum.page_view.id"])
        stamp = row["Timestamp"]
        newest[key] = max(newest.get(key, stamp), stamp)
    for row in rows:
        key = (row["ServiceName"], row["LogAttributes"]["rum.page_view.id"])
        row["Timestamp"] = newest[key] - row["Timestamp"]
    return rows


def stored_rows(settings: Settings) -> dict[str, list[Any]]:
    """Post every example through the whole app, then read every table it filled."""
    with TestClient(app=create_app(settings)) as client:
        for path in EXAMPLES:
            response = client.post("/__deco/rum", content=path.read_bytes(), headers=HEADERS)
            assert response.status_code == 204, response.text
    store = Store(settings)
    try:
        settle(store)  # the daily vitals rollup too
        tables = [
            name
            for (name,) in store.query(
                "SELECT name FROM system.tables WHERE database = {db:String} "
                "AND engine NOT IN ('MaterializedView') ORDER BY name",
                {"db": settings.database},
            )
        ]
        result: dict[str, list[Any]] = {}
        for table in tables:
            rows = table_rows(store, table)
            if table == settings.table:
                rows = logs_rows(rows)
            for row in rows:  # a hash of part names, which hold the day
                row.update({"stage_parts": "<parts>"} if "stage_parts" in row else {})
            dumped = [json.dumps(plain(row), sort_keys=True) for row in rows]
            result[table] = [json.loads(text) for text in sorted(dumped)]
        return result
    finally:
        store.close()


def test_the_examples_store_exactly_the_captured_rows(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", country_header="cf-ipcountry")
    assert stored_rows(settings) == json.loads(GOLDEN.read_text())


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        captured = stored_rows(
            make_settings(Path(directory) / "data", country_header="cf-ipcountry")
        )
    GOLDEN.write_text(json.dumps(captured, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    print(f"wrote {GOLDEN}: " + ", ".join(f"{t} {len(r)}" for t, r in captured.items()))
