"""``rum-server query`` on a seeded store: formats, errors, and the locked-directory fallback."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rum_server.cli.demo_data import Seed, seed_store
from rum_server.cli.main import main
from rum_server.settings import Settings
from rum_server.storage.store import Store

SITE = "cli-shop"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "data"
    store = Store(Settings(dsn=f"chdb://{path}"))
    try:
        store.ensure_schema()
        seed_store(store, Seed(rows=12_000, days=7, site=SITE))
    finally:
        store.close()
    return path


def query(data_dir: Path, *args: str) -> list[str]:
    return ["query", *args, "--dsn", f"chdb://{data_dir}", "--site", SITE]


def test_vitals_table_is_aligned_with_ms_rounded_and_shares_in_percent(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(query(data_dir, "vitals", "--metric", "LCP", "--by", "route")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "route", "samples", "kept", "good", "needs_improvement", "poor", "p50", "p75", "p95",
    ]  # fmt: skip
    assert set(lines[1]) <= {"-", " "}
    home = next(line for line in lines if line.startswith("/ "))
    cells = home.split()
    assert cells[3].endswith("%") and "." not in cells[8] and cells[9] == "ms"  # 58.0%, 3,141 ms
    assert len({len(line) for line in lines[:2]}) == 1


def test_json_is_the_report_and_csv_its_rows(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(query(data_dir, "errors", "--format", "json", "--limit", "2")) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"columns", "rows", "sql"} and len(report["rows"]) == 2
    assert main(query(data_dir, "pages", "--format", "csv")) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["route"] == "/" and int(rows[0]["page_views"]) > 0


@pytest.mark.parametrize(
    ("args", "answer"),
    [
        (["compare", "--device", "mobile"], "regressed"),
        (["events"], "add_payment_info"),
        (["events", "--steps", "add_to_cart,purchase"], "purchase"),
        (["events", "--by", "release"], "add_payment_info"),
        (["top-events", "--label", "shipping_tier"], "express"),
        (["trend", "--metric", "LCP", "--days", "3"], "LCP"),
        (["sites"], SITE),
    ],
)
def test_other_reports(
    data_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str], answer: str
) -> None:
    assert main(query(data_dir, *args)) == 0
    assert answer in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["vitals", "--days", "0"], "days must be between 1 and 400"),
        (["compare", "--a", "only-a"], "both releases"),
        (["compare", "--a-range", "yesterday", "--b-range", "today"], "is not FIRST..LAST"),
        (["events", "--names", ","], "non-empty event names"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    data_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(query(data_dir, *args)) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_missing_data_directory_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", "vitals", "--dsn", f"chdb://{tmp_path / 'nowhere'}"]) == 2
    assert "no data directory" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def running_server(data_dir: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """``rum-server serve`` holding the data directory, with an API token."""
    port = free_port()
    env = {**os.environ, "RUM_API_TOKEN": "cli-token", "RUM_PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "rum_server.cli.main", "serve", "--dsn", f"chdb://{data_dir}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read() if process.stderr else b""
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/__deco/rum/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield port, env
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60)


def test_with_a_server_on_the_directory_the_cli_asks_its_api(
    data_dir: Path, running_server: tuple[int, dict[str, str]]
) -> None:
    port, env = running_server
    done = subprocess.run(
        [sys.executable, "-m", "rum_server.cli.main", *query(data_dir, "vitals", "--by", "device")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "in use by a running server; asking it at" in done.stderr
    assert f":{port}/__deco/rum/api/vitals?" in done.stderr
    assert "mobile" in done.stdout and "Traceback" not in done.stderr
    wrong_token = {**env, "RUM_API_TOKEN": "wrong"}
    refused = subprocess.run(
        [sys.executable, "-m", "rum_server.cli.main", *query(data_dir, "sites")],
        env=wrong_token,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 1
    assert "the server answered 401" in refused.stderr and "Traceback" not in refused.stderr


def test_sql_through_the_running_server_is_read_only_and_authenticated(
    data_dir: Path, running_server: tuple[int, dict[str, str]]
) -> None:
    port, env = running_server

    def sql(*args: str, token: str = "cli-token") -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "rum_server.cli.main", "sql", *args]
        return subprocess.run(
            [*command, "--dsn", f"chdb://{data_dir}"],
            env={**env, "RUM_API_TOKEN": token},
            capture_output=True,
            text=True,
            timeout=120,
        )

    done = sql(
        f"SELECT count() AS n FROM otel.otel_logs WHERE ServiceName = '{SITE}'", "--format", "csv"
    )
    assert done.returncode == 0, done.stderr
    assert f":{port}/__deco/rum/api/sql?format=csv" in done.stderr
    header, count = done.stdout.splitlines()
    assert header == '"n"' and int(count) >= 12_000
    refused = sql("DROP TABLE otel.otel_logs")
    assert refused.returncode == 2 and "readonly" in refused.stderr.lower()
    assert "Traceback" not in refused.stderr
    assert sql("SELECT 1", token="wrong").returncode == 1
    still_there = sql("SELECT count() FROM otel.otel_logs", "--format", "tsv")
    assert still_there.returncode == 0 and int(still_there.stdout.splitlines()[-1]) >= 12_000


def test_version_and_a_typo_under_a_command_print_that_commands_usage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as version:
        main(["--version"])
    assert version.value.code == 0 and capsys.readouterr().out.startswith("rum-server ")
    with pytest.raises(SystemExit) as typo:
        main(["query", "vitals", "--metrc", "LCP"])
    err = capsys.readouterr().err
    assert typo.value.code == 2
    assert err.startswith("usage: rum-server query vitals") and "--metrc" in err


def test_an_unknown_site_or_release_lists_the_known_ones_and_fails(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn = ["--dsn", f"chdb://{data_dir}"]
    assert main(["query", "vitals", "--site", "no-such-site", *dsn]) == 2
    assert f"sites with data: {SITE}" in capsys.readouterr().err
    assert main(query(data_dir, "compare", "--a", "nope-1", "--b", "nope-2")) == 2
    err = capsys.readouterr().err
    assert "release 'nope-1', 'nope-2'" in err and "releases with data: " in err


def test_metric_names_in_any_case_and_units_in_tables(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(query(data_dir, "vitals", "--metric", "lcp", "--by", "device")) == 0
    out, err = capsys.readouterr()
    assert err.startswith(f"rum-server: store {data_dir}")  # where the answer came from
    mobile = next(line for line in out.splitlines() if line.startswith("mobile"))
    assert mobile.endswith(" ms") and mobile.count(" ms") == 3  # p50, p75, p95
    assert main(query(data_dir, "vitals", "--metric", "cls", "--by", "device")) == 0
    assert " ms" not in capsys.readouterr().out  # CLS is a unitless score


def test_demo_data_on_a_store_a_server_holds_says_to_stop_the_server(
    data_dir: Path, running_server: tuple[int, dict[str, str]]
) -> None:
    _, env = running_server
    done = subprocess.run(
        [sys.executable, "-m", "rum_server.cli.main", "demo-data", "--dsn", f"chdb://{data_dir}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "in use by a running rum-server serve: stop it" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
