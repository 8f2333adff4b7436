"""Ingest side by side: no-op endpoints, our full path (store and null sink), the reference.

``wrk`` drives every server with the same corpus file (distinct bodies and
User-Agent headers, cycled; see load.lua): a C load generator takes far less of
the two shared cores than a Python one would, so the no-op ceiling is the
server's, not the client's. Servers are interleaved within each repeat so
machine noise lands on all of them alike. Each server runs alone, one process,
on loopback; CPU per event is the server process's user+system time (chdb's
threads included) over the run, divided by the events it accepted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import Beacon
from bench.procs import BenchError, Children, child_env, free_port, progress, serve_command

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LUA = HERE / "load.lua"
CONNECTIONS = 16


@dataclass(frozen=True)
class Server:
    key: str
    label: str
    module: str  # uvicorn target, or "" for `rum-server serve`
    store: bool = False  # needs its own embedded store directory


SERVERS = (
    Server("noop_asgi", "(a) no-op: bare ASGI callable, uvicorn", "bench.servers.noop_asgi:app"),
    Server(
        "noop_litestar", "(a) no-op: Litestar handler, uvicorn", "bench.servers.noop_litestar:app"
    ),
    Server("rum", "(b) deco RUM into the embedded store (`rum-server serve`)", "", store=True),
    Server("rum_null", "(c) deco RUM into a null sink", "bench.servers.rum_null:app", store=True),
    Server(
        "reference",
        "(d) reference: FastAPI + pydantic v2 into the same store",
        "bench.reference.app:app",
        store=True,
    ),
)


def write_corpus(beacons: Sequence[Beacon], path: Path) -> None:
    with path.open("wb") as out:
        for beacon in beacons:
            ua = beacon.user_agent.replace("\t", " ").encode()
            out.write(ua + b"\t" + beacon.body + b"\n")


def command(server: Server, port: int, data: Path) -> list[str]:
    if not server.module:
        return serve_command(f"chdb://{data}", port)
    return [sys.executable, "-m", "uvicorn", server.module, "--no-access-log",
            "--log-level", "warning", "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip


def run_wrk(url: str, corpus: Path, seconds: float, delay_ms: float = 0) -> dict[str, float]:
    env = {**os.environ, "BENCH_CORPUS": str(corpus), "BENCH_DELAY_MS": f"{delay_ms:.3f}"}
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            url,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("{")), "")
    if result.returncode or not line:
        raise BenchError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return json.loads(line)


def measure_server(
    children: Children,
    server: Server,
    work: Path,
    corpus: Path,
    first_body: bytes,
    events_per_beacon: float,
    seconds: float,
) -> dict[str, float]:
    port = free_port()
    data = work / f"store-{server.key}-{time.monotonic_ns()}"
    env = child_env(RUM_CLICKHOUSE_DSN=f"chdb://{data}")
    child = children.start(server.key, command(server, port, data), work, env)
    url = f"http://127.0.0.1:{port}/__deco/rum"
    try:
        child.wait_http(url, first_body)
        run_wrk(url, corpus, 2)  # warm-up: imports, caches, first parts
        cpu_before = child.cpu_seconds()
        full = run_wrk(url, corpus, seconds)
        cpu = child.cpu_seconds() - cpu_before
        rate = full["requests"] / (full["duration_us"] / 1e6)
        half_delay = CONNECTIONS / (rate / 2) * 1000
        half = run_wrk(url, corpus, seconds, delay_ms=half_delay)
        rss = child.rss_bytes()
        if child.process.poll() is not None:
            raise BenchError(f"{server.key} died during the run:\n{child.stderr_tail()}")
    finally:
        children.stop(child)
        shutil.rmtree(data, ignore_errors=True)
    errors = sum(full[k] for k in full if k.startswith("errors_"))
    if errors > full["requests"] * 0.01:
        raise BenchError(
            f"{server.key}: {errors} failed requests of {full['requests']}:\n{child.stderr_tail()}"
        )
    events = full["requests"] * events_per_beacon
    half_rate = half["requests"] / (half["duration_us"] / 1e6)
    return {
        "batches_per_s": rate,
        "events_per_s": rate * events_per_beacon,
        "p50_ms_at_max": full["p50_us"] / 1000,
        "p99_ms_at_max": full["p99_us"] / 1000,
        "batches_per_s_at_half": half_rate,
        "p50_ms_at_half": half["p50_us"] / 1000,
        "p99_ms_at_half": half["p99_us"] / 1000,
        "cpu_us_per_event": cpu / events * 1e6 if events else 0.0,
        "errors": errors,
        "rss_mb": rss / 2**20,
    }


def run(
    children: Children, beacons: Sequence[Beacon], repeats: int, seconds: float
) -> dict[str, object]:
    if not shutil.which("wrk"):
        raise BenchError("wrk is missing: apt-get install -y wrk")
    work = children.temp_dir("rum-bench-ingest-")
    corpus = work / "corpus.tsv"
    write_corpus(beacons, corpus)
    events_per_beacon = sum(b.events for b in beacons) / len(beacons)
    runs: dict[str, list[dict[str, float]]] = {s.key: [] for s in SERVERS}
    ratios: dict[str, list[float]] = {
        "b_vs_d": [],
        "b_vs_a": [],
        "c_vs_a": [],
        "b_vs_c": [],
        "b_vs_a_litestar": [],
    }
    for repeat in range(repeats):
        for server in SERVERS:
            progress(
                f"ingest {repeat + 1}/{repeats}: {server.key} ({seconds:.0f} s at max, "
                f"{seconds:.0f} s at half)"
            )
            runs[server.key].append(
                measure_server(
                    children, server, work, corpus, beacons[0].body, events_per_beacon, seconds
                )
            )
        last = {k: v[-1]["events_per_s"] for k, v in runs.items()}
        fastest_noop = max(last["noop_asgi"], last["noop_litestar"])
        ratios["b_vs_d"].append(last["rum"] / last["reference"])
        ratios["b_vs_a"].append(last["rum"] / fastest_noop)
        ratios["c_vs_a"].append(last["rum_null"] / fastest_noop)
        ratios["b_vs_c"].append(last["rum"] / last["rum_null"])
        ratios["b_vs_a_litestar"].append(last["rum"] / last["noop_litestar"])
        progress("  " + ", ".join(f"{k} {v[-1]:.2f}" for k, v in ratios.items()))
    return {
        "tool": f"wrk -t2 -c{CONNECTIONS}, {seconds:.0f} s per load, 2 s warm-up",
        "events_per_beacon": events_per_beacon,
        "servers": {s.key: s.label for s in SERVERS},
        "runs": runs,
        "ratios": ratios,
    }


def profile_rum(children: Children, beacons: Sequence[Beacon], seconds: float) -> dict[str, object]:
    """One more run of (b) at full load, sampled by py-spy, with CPU per OS thread."""
    import threading

    from bench.profile import record, thread_cpu

    if not shutil.which("py-spy"):
        return {"error": "py-spy is missing: pip install -e '.[bench]'"}
    work = children.temp_dir("rum-bench-profile-")
    corpus = work / "corpus.tsv"
    write_corpus(beacons, corpus)
    server = next(s for s in SERVERS if s.key == "rum")
    port = free_port()
    data = work / "store"
    child = children.start("rum-profiled", command(server, port, data), work, child_env())
    url = f"http://127.0.0.1:{port}/__deco/rum"
    try:
        child.wait_http(url, beacons[0].body)
        run_wrk(url, corpus, 2)
        before = thread_cpu(child.process.pid)
        sampled: dict[str, object] = {}
        sampler = threading.Thread(
            target=lambda: sampled.update(record(child.process.pid, seconds, work / "pyspy.txt"))
        )
        sampler.start()
        run_wrk(url, corpus, seconds)
        sampler.join()
        after = thread_cpu(child.process.pid)
    finally:
        children.stop(child)
    cpu = {name: after.get(name, 0) - before.get(name, 0) for name in after}
    total = sum(cpu.values()) or 1
    return {
        "py_spy": sampled,
        "cpu_by_thread": {
            k: v / total for k, v in sorted(cpu.items(), key=lambda x: -x[1]) if v > 0.005 * total
        },
    }
