"""Shared fixtures: a real embedded ClickHouse store in a temp directory per test.

chdb allows one data directory per process at a time, so every fixture closes
what it opened before the next test starts.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from rum_server.app import create_app
from rum_server.settings import Settings
from rum_server.storage.store import Store

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "docs" / "examples").glob("*.json"))
EXAMPLE_ROWS = sum(len(json.loads(path.read_text())["events"]) for path in EXAMPLES)
"""Rows the example batches store: one per event."""


def local_day(now_ns: int) -> date:
    """The calendar day of ``now_ns`` in this process's time zone (``TZ``), which is the
    embedded store's too: its ``toDate(Timestamp)`` files rows under the same day."""
    return datetime.fromtimestamp(now_ns // 10**9).date()


def local_midnight_ns(day: date) -> int:
    """Epoch ns of ``day``'s local midnight (right on DST days, unlike ``now % 86400``)."""
    return int(datetime.combine(day, datetime.min.time()).timestamp()) * 10**9


def day_start_ns(now_ns: int, offset: int = 0) -> int:
    """Local midnight ``offset`` days before the day of ``now_ns``."""
    return local_midnight_ns(local_day(now_ns) - timedelta(days=offset))


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Settings for an embedded store in ``data_dir``; flushes fast so tests are quick."""
    values: dict[str, Any] = {"dsn": f"chdb://{data_dir}", "flush_seconds": 0.05}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient[Any]]:
    """The whole app over a real embedded store; the lifespan runs on enter and exit."""
    with TestClient(app=create_app(settings)) as test_client:
        yield test_client


def read_rows(settings: Settings, where: str = "1") -> list[dict[str, Any]]:
    """All rows of the logs table (after the app closed the store), as dicts."""
    store = Store(settings)
    try:
        result = store.client.query(
            f"SELECT * FROM {settings.qualified_table} WHERE {where} ORDER BY Timestamp, EventName"
        )
        return [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
    finally:
        store.close()


@dataclass(frozen=True)
class ClickHouseServer:
    """A ClickHouse HTTP endpoint (tests/support/clickhouse_http.py) over a temp directory."""

    port: int
    user: str
    password: str

    def dsn(self, database: str = "") -> str:
        return f"clickhouse://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"


@pytest.fixture
def clickhouse_server(tmp_path: Path) -> Iterator[ClickHouseServer]:
    """The real engine behind ClickHouse's HTTP interface, in its own process, on port 0."""
    with clickhouse_http(tmp_path / "server-data") as server:
        yield server


@contextlib.contextmanager
def clickhouse_http(data_dir: Path, *options: str) -> Iterator[ClickHouseServer]:
    """tests/support/clickhouse_http.py over ``data_dir`` (``options``: e.g. a config file)."""
    process = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "tests" / "support" / "clickhouse_http.py"),
            str(data_dir),
            "--user",
            "rum",
            "--password",
            "s3cret",
            *options,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("port "), f"the ClickHouse HTTP fixture did not start: {line!r}"
        yield ClickHouseServer(int(line.split()[1]), "rum", "s3cret")
    finally:
        process.terminate()
        process.wait(timeout=30)
