"""Ingest throughput, side by side in one run: our endpoint vs the fastest no-op endpoints.

    python bench/bench_ingest.py [--seconds 10] [--connections 16]

Each server runs alone (one process) on loopback while ``wrk`` (Debian package
``wrk``) posts the same 20-event beacon. The figures that matter are the ratios,
because the machine is shared and noisy: absolute numbers move run to run.

Servers measured:
- ``noop-asgi/uvicorn``: a bare ASGI callable that reads the body and answers 204;
- ``noop-litestar/uvicorn`` and ``noop-litestar/granian``: a Litestar handler doing the same;
- ``rum/uvicorn``: ``rum-server serve`` on an embedded store (decode, redact, enrich,
  rows, queue; inserts happen on the writer thread of the same process);
- ``rum/granian``: the same app under granian (``rum_server.asgi:app``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

NOOP_ASGI = textwrap.dedent(
    """
    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
    """
)

NOOP_LITESTAR = textwrap.dedent(
    """
    from litestar import Litestar, Request, post

    @post("/__deco/rum", status_code=204)
    async def ingest(request: Request) -> None:
        await request.body()

    app = Litestar([ingest], openapi_config=None)
    """
)


def beacon(events: int = 20) -> bytes:
    """A realistic 20-event batch: vitals, errors with PII, a page view, custom events."""
    base = json.loads((REPO / "docs" / "examples" / "page-vitals.json").read_text())
    errors = json.loads((REPO / "docs" / "examples" / "errors.json").read_text())["events"]
    mixed = json.loads((REPO / "docs" / "examples" / "mixed.json").read_text())["events"]
    pool = base["events"] + errors + mixed
    base["events"] = [pool[i % len(pool)] for i in range(events)]
    return json.dumps(base).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(
                url, data=beacon(), headers={"content-type": "text/plain"}
            )
            with urllib.request.urlopen(request, timeout=1):
                return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def run_wrk(url: str, body_file: Path, seconds: int, connections: int) -> float:
    script = body_file.with_suffix(".lua")
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "text/plain;charset=UTF-8"\n'
        f'local f = io.open("{body_file}", "rb"); wrk.body = f:read("*all"); f:close()\n'
    )
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if non2xx:
        print(f"  warning: {non2xx.group(1)} non-2xx answers from {url}", file=sys.stderr)
    return float(match.group(1)) if match else 0.0


def measure(
    name: str,
    command: list[str],
    cwd: Path,
    env: dict[str, str],
    port: int,
    body_file: Path,
    seconds: int,
    connections: int,
) -> float:
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}/__deco/rum"
    try:
        wait_ready(url)
        rate = run_wrk(url, body_file, seconds, connections)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
    print(f"  {name:<24} {rate:>9.0f} batches/s", file=sys.stderr)
    return rate


def granian(target: str) -> list[str]:
    """One granian worker serving ``target``, the port appended by the caller."""
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--log-level",
        "warning",
        target,
        "--port",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="rum-bench-"))
    (work / "noop_asgi.py").write_text(NOOP_ASGI)
    (work / "noop_litestar.py").write_text(NOOP_LITESTAR)
    body_file = work / "beacon.json"
    body_file.write_bytes(beacon())
    env = {
        **os.environ,
        "PYTHONPATH": f"{work}:{REPO}",
        "RUM_CLICKHOUSE_DSN": f"chdb://{work / 'data-granian'}",
    }
    python = sys.executable
    results: dict[str, float] = {}
    servers = {
        "noop-asgi/uvicorn": [
            python,
            "-m",
            "uvicorn",
            "noop_asgi:app",
            "--no-access-log",
            "--log-level",
            "warning",
            "--port",
        ],
        "noop-litestar/uvicorn": [
            python,
            "-m",
            "uvicorn",
            "noop_litestar:app",
            "--no-access-log",
            "--log-level",
            "warning",
            "--port",
        ],
        "noop-litestar/granian": granian("noop_litestar:app"),
        "rum/granian": granian("rum_server.asgi:app"),
        "rum/uvicorn": [
            python,
            "-m",
            "rum_server.cli",
            "serve",
            "--log-level",
            "warning",
            "--dsn",
            f"chdb://{work / 'data'}",
            "--port",
        ],
    }
    print(
        f"{len(body_file.read_bytes())} byte beacon, 20 events, wrk -t2 "
        f"-c{args.connections} -d{args.seconds}s",
        file=sys.stderr,
    )
    for name, command in servers.items():
        port = free_port()
        results[name] = measure(
            name, [*command, str(port)], work, env, port, body_file, args.seconds, args.connections
        )
    fastest = max(v for k, v in results.items() if k.startswith("noop"))
    print(
        json.dumps(
            {
                "batches_per_second": results,
                "rum_vs_fastest_noop": round(results["rum/uvicorn"] / fastest, 3),
                "rum_vs_litestar_uvicorn_noop": round(
                    results["rum/uvicorn"] / results["noop-litestar/uvicorn"], 3
                ),
            },
            indent=2,
        )
    )
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
