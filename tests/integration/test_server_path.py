"""The ``clickhouse://`` path end to end, against ClickHouse's HTTP interface.

The server is tests/support/clickhouse_http.py: the real engine behind the real
protocol, spoken by the real clickhouse-connect ``HttpClient``. Schema creation,
the ingest app, two server processes inserting at once, settling, the query CLI
and the API all run over it, and their answers must equal the embedded store's
on the same rows.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import astuple
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from rum_server.app import create_app
from rum_server.cli.demo_data import Seed, generate
from rum_server.cli.main import main
from rum_server.settings import Settings
from rum_server.storage.rollups import RollupTables, settle
from rum_server.storage.schema import OUR_COLUMNS
from rum_server.storage.sink import ClickHouseSink
from rum_server.storage.store import Store
from tests.conftest import EXAMPLE_ROWS, EXAMPLES, ClickHouseServer
from tests.integration.test_serve_process import free_port, post, rum_server, wait_healthy

SITE = "server-shop"
API = "/__deco/rum/api"


def count_rows(dsn: str, where: str = "1") -> int:
    store = Store(Settings(dsn=dsn))
    try:
        return int(store.query(f"SELECT count() FROM otel.otel_logs WHERE {where}")[0][0])
    finally:
        store.close()


def test_schema_apply_creates_every_table_and_is_idempotent(
    clickhouse_server: ClickHouseServer, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn = clickhouse_server.dsn()
    assert main(["schema", "--apply", "--dsn", dsn]) == 0
    assert main(["schema", "--apply", "--dsn", dsn]) == 0
    assert "schema applied to otel.otel_logs" in capsys.readouterr().err
    store = Store(Settings(dsn=dsn))
    try:
        tables = {
            row[0] for row in store.query("SELECT name FROM system.tables WHERE database = 'otel'")
        }
        rollups = RollupTables.in_database("otel")
        expected = {name.split(".", 1)[1] for name in astuple(rollups)}
        assert {"otel_logs", *expected} <= tables
        assert set(OUR_COLUMNS) <= set(store.table_columns())
    finally:
        store.close()


def test_wrong_password_is_one_line(
    clickhouse_server: ClickHouseServer, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn = clickhouse_server.dsn().replace(":s3cret@", ":wrong@")
    assert main(["schema", "--apply", "--dsn", dsn]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Authentication failed" in err and "wrong" not in err


def test_the_app_stores_every_example_row_on_the_server(
    clickhouse_server: ClickHouseServer, tmp_path: Path
) -> None:
    settings = Settings(
        dsn=clickhouse_server.dsn(), flush_seconds=0.05, spool_dir=str(tmp_path / "spool")
    )
    with TestClient(app=create_app(settings)) as client:
        for path in EXAMPLES:
            response = client.post(
                "/__deco/rum", content=path.read_bytes(), headers={"content-type": "text/plain"}
            )
            assert response.status_code == 204, response.text
        health = client.get("/__deco/rum/health").json()
        assert health["store"] == "ok"
    assert count_rows(settings.dsn) == EXAMPLE_ROWS
    assert (
        count_rows(settings.dsn, "RumPageViewId != '' AND ScopeName = 'deco.rum'") == EXAMPLE_ROWS
    )


def test_two_server_processes_insert_at_once(
    clickhouse_server: ClickHouseServer, tmp_path: Path
) -> None:
    dsn = clickhouse_server.dsn()
    assert main(["schema", "--apply", "--dsn", dsn]) == 0
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            rum_server("serve", "--port", str(port), "--dsn", dsn),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=worker_env(tmp_path / f"spool-{port}"),
        )
        for port in ports
    ]
    rounds = 10
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_healthy(f"http://127.0.0.1:{port}", process)
        post_examples_concurrently([f"http://127.0.0.1:{port}" for port in ports], rounds)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.communicate(timeout=60)
    assert count_rows(dsn) == 2 * rounds * EXAMPLE_ROWS


def worker_env(spool: Path) -> dict[str, str]:
    return {**os.environ, "RUM_SPOOL_DIR": str(spool), "RUM_FLUSH_SECONDS": "0.05"}


def post_examples_concurrently(bases: list[str], rounds: int) -> None:
    """One thread per base URL, each posting every example ``rounds`` times."""
    failures: list[str] = []

    def send(base: str) -> None:
        for _ in range(rounds):
            for path in EXAMPLES:
                status = post(base + "/__deco/rum", path.read_bytes())
                if status != 204:
                    failures.append(f"{base}: {status}")

    threads = [threading.Thread(target=send, args=(base,)) for base in bases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures


# ------------------------------------------------------------------ same answers as embedded


@pytest.fixture
def twin_stores(clickhouse_server: ClickHouseServer, tmp_path: Path) -> tuple[str, str]:
    """The same synthetic rows in an embedded store and on the server, both settled."""
    chunks = list(generate(Seed(rows=6_000, days=7, site=SITE), now_ns=time.time_ns()))
    dsns = (f"chdb://{tmp_path / 'embedded'}", clickhouse_server.dsn())
    for dsn in dsns:
        store = filled(dsn, chunks)
        try:
            assert settle(store), "settling found no day to fold in"
            assert settle(store) == []  # and nothing left after
        finally:
            store.close()
    return dsns


def filled(dsn: str, chunks: list[dict[str, Any]]) -> Store:
    """A store at ``dsn`` with our schema and the rows, written by the ingest sink; still open."""
    store = Store(Settings(dsn=dsn))
    try:
        store.ensure_schema()
        sink = ClickHouseSink(store)
        for chunk in chunks:
            sink.write(chunk)
    except BaseException:
        store.close()
        raise
    return store


CLI_REPORTS = [
    ["sites"],
    ["vitals", "--metric", "LCP", "--by", "route"],
    ["vitals", "--metric", "INP", "--by", "device"],
    ["trend", "--metric", "CLS"],
    ["errors"],
    ["pages"],
    ["compare", "--device", "mobile"],
    ["events", "--steps", "view_product,add_to_cart"],
]


def cli_json(capsys: pytest.CaptureFixture[str], dsn: str, args: list[str]) -> Any:
    site = [] if args[0] == "sites" else ["--site", SITE]
    assert main(["query", *args, *site, "--format", "json", "--dsn", dsn]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("args", CLI_REPORTS, ids=" ".join)
def test_the_query_cli_answers_the_same_over_the_server(
    twin_stores: tuple[str, str], capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    embedded, server = twin_stores
    expected = cli_json(capsys, embedded, args)
    assert expected["rows"], f"{args} answered no rows on seeded data"
    assert cli_json(capsys, server, args) == expected


def test_the_api_answers_the_same_over_the_server(
    twin_stores: tuple[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    embedded, server = twin_stores
    settings = Settings(dsn=server, spool_dir=str(tmp_path / "spool"), api_token="t0ken")
    with TestClient(app=create_app(settings)) as client:
        for report, params in [
            ("vitals", {"site": SITE, "metric": "LCP", "by": "route"}),
            ("errors", {"site": SITE}),
            ("pages", {"site": SITE}),
        ]:
            response = client.get(
                f"{API}/{report}", params=params, headers={"authorization": "Bearer t0ken"}
            )
            assert response.status_code == 200, response.text
            args = [report, *(["--metric", "LCP", "--by", "route"] if report == "vitals" else [])]
            assert response.json()["rows"] == cli_json(capsys, embedded, args)["rows"]


# ------------------------------------------------------------------ serve --workers N


def worker_pids(supervisor: int) -> list[int]:
    """The supervisor's spawned worker processes (not multiprocessing's resource tracker)."""
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines())
            cmdline = (status.parent / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if int(fields.get("PPid", "0")) == supervisor and b"spawn_main" in cmdline:
            pids.append(int(status.parent.name))
    return pids


def test_serve_with_two_workers_stores_every_row_and_flushes_on_sigterm(
    clickhouse_server: ClickHouseServer, tmp_path: Path
) -> None:
    dsn = clickhouse_server.dsn()
    port = free_port()
    process = subprocess.Popen(
        rum_server("serve", "--workers", "2", "--port", str(port), "--dsn", dsn),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**worker_env(tmp_path / "spool"), "RUM_FLUSH_SECONDS": "30"},
    )
    base = f"http://127.0.0.1:{port}"
    rounds = 10
    try:
        wait_healthy(base, process)
        first, second = worker_pids(process.pid)
        os.kill(first, signal.SIGKILL)  # a worker that dies is started again in its slot
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(set(worker_pids(process.pid)) - {first}) < 2:
            time.sleep(0.2)
        assert second in worker_pids(process.pid) and len(worker_pids(process.pid)) == 2
        wait_healthy(base, process)
        post_examples_concurrently([base, base, base], rounds)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=90)
    # Flushing every 30 s, the rows reach the server only through each worker's shutdown flush.
    assert process.returncode == 0, stderr.decode()
    assert count_rows(dsn) == 3 * rounds * EXAMPLE_ROWS
    assert not list((tmp_path / "spool").rglob("*.msgpack"))


def test_workers_with_the_embedded_store_are_refused_in_one_line(tmp_path: Path) -> None:
    answer = subprocess.run(
        rum_server(
            "serve", "--workers", "2", "--port", str(free_port()), "--dsn", f"chdb://{tmp_path}"
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert answer.returncode == 2
    assert answer.stderr.count("\n") == 1, answer.stderr
    assert "--workers 2 needs a ClickHouse server" in answer.stderr
    assert "only one process can open" in answer.stderr
