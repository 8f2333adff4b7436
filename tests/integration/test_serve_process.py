"""``rum-server serve`` as a real process: examples posted, SIGTERM, every row stored.

Also: bad configuration ends the process at start with one line and no traceback.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from rum_server.settings import Settings
from tests.conftest import EXAMPLE_ROWS, EXAMPLES, read_rows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rum_server(*args: str) -> list[str]:
    return [sys.executable, "-m", "rum_server.cli.main", *args]


def wait_healthy(base: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        try:
            with urllib.request.urlopen(base + "/__deco/rum/health", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:  # refused, reset, or timed out while the server starts
            time.sleep(0.1)
    raise AssertionError("server did not become healthy")


def post(url: str, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, headers={"content-type": "text/plain"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return int(answer.status)


def test_serve_stores_every_example_row_and_flushes_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    process = subprocess.Popen(
        rum_server("serve", "--port", str(port), "--dsn", f"chdb://{data}"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process)
        for path in EXAMPLES:
            assert post(base + "/__deco/rum", path.read_bytes()) == 204
        with urllib.request.urlopen(base + "/schema/openapi.json", timeout=5) as answer:
            assert "/__deco/rum" in json.loads(answer.read())["paths"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    # uvicorn re-raises SIGTERM after its graceful shutdown, as a well-behaved daemon does.
    assert process.returncode in (0, -signal.SIGTERM), stderr.decode()
    assert "Application shutdown complete" in stderr.decode()
    expected = EXAMPLE_ROWS
    assert len(read_rows(Settings(dsn=f"chdb://{data}"))) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dsn", "mysql://localhost/db"], "is not understood"),
        (["--dsn", "clickhouse://nobody:secret@127.0.0.1:1/db"], "cannot open the store"),
        (["--port", "0"], "port 0"),
    ],
    ids=["bad-scheme", "unreachable-server", "bad-port"],
)
def test_bad_configuration_exits_with_one_clear_line(args: list[str], message: str) -> None:
    result = subprocess.run(rum_server("serve", *args), capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert "secret" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_port_in_use_exits_with_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = subprocess.run(
            rum_server("serve", "--port", str(port), "--dsn", f"chdb://{tmp_path / 'd'}"),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr
