"""Soak: minutes of traffic while the store goes down and comes back; sent = stored.

    python bench/soak.py [--minutes 3] [--loaders 2] [--down 10] [--up 20]

Not part of the test suite (it takes minutes). The server runs in this process
(uvicorn on a free loopback port, the embedded store in a temporary directory)
so the soak can take the store away: every ``--up`` seconds the logs table is
renamed away for ``--down`` seconds, the way ``tests/integration/test_store_outage.py``
does, so inserts fail inside ClickHouse itself. Loader processes post unique
batches (a fresh page-view id each) and remember which were answered 204.

At the end it waits until the write-ahead log is empty and checks, per batch,
that every accepted batch is stored exactly once. It prints the figures and
exits non-zero on any loss or duplicate.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import uvicorn

from rum_server.app import create_app
from rum_server.ingest.connections import apply_connection_guards
from rum_server.settings import Settings
from rum_server.storage.store import Store

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "docs" / "examples").glob("*.json"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def loader(base: str, number: int, stop_at: float, results: Any) -> None:
    """Post unique batches until ``stop_at``; report (accepted {pv: events}, refused, failed)."""
    batches = [json.loads(path.read_text()) for path in EXAMPLES]
    accepted: dict[str, int] = {}
    refused = failed = 0
    sent = 0
    while time.time() < stop_at:
        batch = dict(batches[sent % len(batches)])
        batch["pv"] = f"pv-w{number}s{sent}"  # a clean id (no run of 8 digits) is kept as sent
        # Event and send times move with the clock, so nothing falls outside retention.
        shift = time.time() * 1000 - batch["st"]
        batch["st"] += shift
        batch["events"] = [{**event, "ts": event["ts"] + shift} for event in batch["events"]]
        sent += 1
        request = urllib.request.Request(
            base + "/__deco/rum",
            data=json.dumps(batch).encode(),
            headers={"content-type": "text/plain"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                if answer.status == 204:
                    accepted[batch["pv"]] = len(batch["events"])
        except urllib.error.HTTPError as error:
            refused += 1
            if error.code == 503:
                time.sleep(0.2)  # Retry-After, as the snippet would
        except OSError:
            failed += 1
    results.put((accepted, refused, failed, sent))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--loaders", type=int, default=2)
    parser.add_argument("--down", type=float, default=10.0, help="seconds the store is away")
    parser.add_argument("--up", type=float, default=20.0, help="seconds between outages")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="rum-soak-"))
    settings = Settings(dsn=f"chdb://{workdir / 'data'}", flush_seconds=0.5)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    apply_connection_guards(config, settings)
    server = uvicorn.Server(config)
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    while not server.started:
        time.sleep(0.1)

    stop_at = time.time() + args.minutes * 60
    results: Any = multiprocessing.Queue()
    loaders = [
        multiprocessing.Process(target=loader, args=(base, n, stop_at, results))
        for n in range(args.loaders)
    ]
    for process in loaders:
        process.start()

    store: Store = app.state.store
    wal = app.state.writer.wal
    table = settings.qualified_table
    outages, health_ms, max_backlog = 0, [], 0
    next_outage = time.time() + args.up
    while time.time() < stop_at:
        if time.time() >= next_outage and time.time() + args.down < stop_at:
            store.command(f"RENAME TABLE {table} TO {table}_away")
            outages += 1
            back = time.time() + args.down
            while time.time() < back:
                health_ms.append(probe_health(base))
                max_backlog = max(max_backlog, wal.backlog_bytes)
                time.sleep(0.5)
            store.command(f"RENAME TABLE {table}_away TO {table}")
            next_outage = time.time() + args.up
        health_ms.append(probe_health(base))
        max_backlog = max(max_backlog, wal.backlog_bytes)
        time.sleep(0.5)

    accepted: dict[str, int] = {}
    refused = failed = sent = 0
    for _ in loaders:
        part, part_refused, part_failed, part_sent = results.get(timeout=120)
        accepted.update(part)
        refused += part_refused
        failed += part_failed
        sent += part_sent
    for process in loaders:
        process.join()
    deadline = time.time() + 300
    while wal.backlog_rows and time.time() < deadline:
        time.sleep(0.5)
    stored = dict(
        store.query(f"SELECT LogAttributes['rum.page_view.id'], count() FROM {table} GROUP BY 1")
    )
    server.should_exit = True
    serving.join(timeout=60)

    lost = [pv for pv in accepted if pv not in stored]
    duplicated = [pv for pv, events in accepted.items() if stored.get(pv, events) != events]
    unanswered_stored = len(set(stored) - set(accepted))
    events = sum(accepted.values())
    print(f"duration            {args.minutes:g} min, {outages} outages of {args.down:g} s")
    print(
        f"batches sent        {sent:,}  (answered 204: {len(accepted):,}, refused: {refused:,}, "
        f"no answer: {failed:,})"
    )
    print(f"events accepted     {events:,}")
    print(f"events stored       {sum(stored.values()):,}")
    print(f"lost / duplicated   {len(lost)} / {len(duplicated)} batches")
    print(f"stored, not answered {unanswered_stored} (in flight when a client gave up)")
    print(f"largest backlog     {max_backlog / 1e6:.1f} MB")
    print(
        f"health latency      median {statistics.median(health_ms):.1f} ms, "
        f"max {max(health_ms):.1f} ms ({len(health_ms)} probes)"
    )
    return 1 if lost or duplicated else 0


def probe_health(base: str) -> float:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(base + "/__deco/rum/health", timeout=10):
            pass
    except urllib.error.HTTPError:
        pass  # 503 while the store is away is the expected answer
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    sys.exit(main())
