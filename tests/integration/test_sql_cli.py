"""``rum-server sql``: one read-only statement on the embedded store, formatted by ClickHouse,
and every SQL block of docs/queries.md run through it. (Through a running server:
tests/integration/test_query_cli.py, which shares its server fixture.)"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from rum_server.cli.demo_data import Seed, seed_store
from rum_server.cli.main import main
from rum_server.settings import Settings
from rum_server.storage.store import Store

DOCS = Path(__file__).resolve().parents[2] / "docs" / "queries.md"
SQL_BLOCKS = re.findall(r"```sql\n(.*?)```", DOCS.read_text(), flags=re.S)
TRACES_DDL = """CREATE TABLE IF NOT EXISTS otel.otel_traces (
    Timestamp DateTime64(9), TraceId String, SpanId String, ParentSpanId String,
    SpanName LowCardinality(String), ServiceName LowCardinality(String), Duration UInt64
) ENGINE = MergeTree ORDER BY (ServiceName, Timestamp)"""
"""The Collector's traces table, which the cookbook's trace join reads."""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sql") / "data"
    store = Store(Settings(dsn=f"chdb://{path}"))
    try:
        store.ensure_schema()
        seed_store(store, Seed(rows=6_000, days=7))  # site demo-store, as the cookbook's
        store.command(TRACES_DDL)
    finally:
        store.close()
    return path


def sql(data_dir: Path, *args: str) -> list[str]:
    return ["sql", *args, "--dsn", f"chdb://{data_dir}"]


def test_every_format_is_clickhouses_own(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = "SELECT ServiceName AS site, count() AS n FROM otel.otel_logs GROUP BY site"
    assert main(sql(data_dir, query, "--format", "csv")) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header == '"site","n"' and row.startswith('"demo-store",')
    assert main(sql(data_dir, query, "--format", "tsv")) == 0
    assert capsys.readouterr().out.splitlines()[0] == "site\tn"
    assert main(sql(data_dir, query, "--format", "json")) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["data"][0]["site"] == "demo-store" and answer["rows"] == 1
    assert main(sql(data_dir, query)) == 0
    table = capsys.readouterr().out
    assert "site" in table and "demo-store" in table and "┌" in table


def test_a_file_or_stdin_holds_the_sql(
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = tmp_path / "count.sql"
    script.write_text("SELECT 40 + 2 AS answer;\n")
    assert main(sql(data_dir, "-f", str(script), "--format", "tsv")) == 0
    assert capsys.readouterr().out == "answer\n42\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO("SELECT 'x' AS y"))
    assert main(sql(data_dir, "-f", "-", "--format", "csv")) == 0
    assert capsys.readouterr().out == '"y"\n"x"\n'


@pytest.mark.parametrize(
    "statement",
    [
        "DROP TABLE otel.otel_logs",
        "INSERT INTO otel.otel_logs (Body) VALUES ('x')",
        "CREATE TABLE otel.mine (x UInt8) ENGINE = Memory",
        "SELECT 1 SETTINGS readonly = 0",
    ],
)
def test_the_engine_refuses_anything_but_reading(
    data_dir: Path, statement: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(sql(data_dir, statement)) == 2
    err = capsys.readouterr().err
    assert "readonly" in err.lower() and len(err.strip().splitlines()) == 2  # store line, error
    store = Store(Settings(dsn=f"chdb://{data_dir}"))
    try:
        assert store.query("SELECT count() FROM otel.otel_logs")[0][0] > 0
        assert not store.query("SELECT name FROM system.tables WHERE name = 'mine'")
    finally:
        store.close()


def test_bad_sql_and_no_sql_are_one_line(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(sql(data_dir, "SELEC 1")) == 2
    assert "Syntax error" in capsys.readouterr().err
    assert main(sql(data_dir)) == 2
    assert "give the SQL" in capsys.readouterr().err


def test_the_cookbook_has_queries() -> None:
    assert len(SQL_BLOCKS) >= 8


@pytest.mark.parametrize("block", SQL_BLOCKS, ids=[f"block{i}" for i in range(len(SQL_BLOCKS))])
def test_every_cookbook_query_runs_through_rum_server_sql(
    data_dir: Path, block: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(sql(data_dir, block, "--format", "csv")) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.splitlines()[0].startswith('"')  # a header row at least
