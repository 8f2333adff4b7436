"""Older Collector exporters' tables and rows: reported, then migrated, never silently ignored.

Two cases an operator meets: a table an older ``clickhouseexporter`` created
(no ``EventName``, wider integer types), and our table receiving rows from an
older exporter (no ``EventName``). In both, after ``rum-server schema --migrate
--apply`` the reports must equal those of a store that got the same rows named.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from rum_server.app import create_app
from rum_server.cli.demo_data import Seed, generate
from rum_server.cli.main import main
from rum_server.settings import Settings
from rum_server.storage.schema import EXPORTER_COLUMNS
from rum_server.storage.store import Store, StoreError
from tests.integration.test_server_path import SITE, cli_json, filled

OLD_EXPORTER_TABLE = """
CREATE TABLE otel.otel_logs (
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    TraceFlags UInt32 CODEC(ZSTD(1)),
    SeverityText LowCardinality(String) CODEC(ZSTD(1)),
    SeverityNumber Int32 CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    Body String CODEC(ZSTD(1)),
    ResourceSchemaUrl String CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeSchemaUrl String CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion String CODEC(ZSTD(1)),
    ScopeAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    LogAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1))
) ENGINE = MergeTree
PARTITION BY toDate(Timestamp)
ORDER BY (ServiceName, SeverityText, toUnixTimestamp(Timestamp), TraceId)
"""
REPORTS = (["pages"], ["vitals", "--metric", "LCP"], ["trend"])


@pytest.fixture(scope="module")
def chunks() -> list[dict[str, list[Any]]]:
    # Six whole days before today: every row within health's "last 7 days" (now() - 7 days).
    return list(generate(Seed(rows=3_000, days=6, site=SITE), now_ns=time.time_ns()))


def insert_without_event_name(store: Store, chunks: list[dict[str, list[Any]]]) -> None:
    """As an older Collector does: every exporter column but EventName."""
    for chunk in chunks:
        names = [name for name in EXPORTER_COLUMNS if name != "EventName"]
        store.insert_columns("otel.otel_logs", {name: chunk[name] for name in names})


@pytest.fixture(scope="module")
def control(tmp_path_factory: pytest.TempPathFactory, chunks: list[dict[str, list[Any]]]) -> str:
    """The same rows, written with their EventName: what the reports should say."""
    dsn = f"chdb://{tmp_path_factory.mktemp('control') / 'data'}"
    filled(dsn, chunks).close()
    return dsn


def test_an_old_exporter_table_is_refused_then_migrated(
    tmp_path: Path,
    chunks: list[dict[str, list[Any]]],
    control: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dsn = f"chdb://{tmp_path / 'data'}"
    store = Store(Settings(dsn=dsn))
    try:
        store.command("CREATE DATABASE otel")
        store.command(OLD_EXPORTER_TABLE)
        insert_without_event_name(store, chunks)
        with pytest.raises(StoreError, match=r"column EventName String is missing.*--migrate"):
            store.ensure_schema()
    finally:
        store.close()

    assert main(["schema", "--migrate", "--dsn", dsn]) == 0
    printed = capsys.readouterr().out
    assert "ADD COLUMN IF NOT EXISTS `EventName` String;" in printed
    assert "MODIFY COLUMN `TraceFlags` UInt8;" in printed
    assert "MODIFY COLUMN `SeverityNumber` UInt8;" in printed
    assert "SELECT Timestamp, TraceId" in printed and "AS EventName" in printed

    assert main(["schema", "--migrate", "--apply", "--dsn", dsn]) == 0
    assert f"{sum(len(c['Timestamp']) for c in chunks)} rows given an EventName" in (
        capsys.readouterr().err
    )
    store = Store(Settings(dsn=dsn))
    try:
        store.ensure_schema()  # accepted now
    finally:
        store.close()
    for args in REPORTS:
        assert cli_json(capsys, dsn, args) == cli_json(capsys, control, args)


def test_unnamed_rows_in_our_table_are_reported_then_counted(
    tmp_path: Path,
    chunks: list[dict[str, list[Any]]],
    control: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings(dsn=f"chdb://{tmp_path / 'data'}", spool_dir=str(tmp_path / "spool"))
    store = Store(settings)
    try:
        store.ensure_schema()
        insert_without_event_name(store, chunks)
    finally:
        store.close()
    with TestClient(app=create_app(settings)) as client:
        health = client.get("/__deco/rum/health").json()
    assert health["unnamed_rum_rows"] == sum(len(c["Timestamp"]) for c in chunks)
    assert "schema --migrate" in health["note"]
    capsys.readouterr()

    assert main(["query", "pages", "--site", SITE, "--format", "json", "--dsn", settings.dsn]) == 0
    err = capsys.readouterr().err
    assert "have no EventName, so no report counts them" in err
    assert err.count("\n") == 2 and err.startswith("rum-server: store ")  # the store, the note

    assert main(["schema", "--migrate", "--apply", "--dsn", settings.dsn]) == 0
    capsys.readouterr()
    for args in REPORTS:
        assert cli_json(capsys, settings.dsn, args) == cli_json(capsys, control, args)
    assert "EventName" not in capsys.readouterr().err  # nothing left to report
