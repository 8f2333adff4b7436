"""Accepted means durable: replays never duplicate, poison is set aside, SIGKILL loses nothing.

All on the real embedded store; the crash test kills a real ``rum-server serve``.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
import tracemalloc
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import msgspec
from litestar.testing import TestClient

from rum_server.app import create_app
from rum_server.settings import Settings
from rum_server.storage.sink import ClickHouseSink
from rum_server.storage.store import Store
from rum_server.storage.wal import Segment, decode_segment, encode_record
from rum_server.transform.pipeline import Pipeline, RequestContext
from tests.conftest import EXAMPLE_ROWS, EXAMPLES, make_settings, read_rows
from tests.integration.test_serve_process import free_port, rum_server, wait_healthy
from tests.integration.test_store_outage import post_examples, wait_for


def logged_segment(settings: Settings, name: str, poison: str = "") -> Path:
    """A segment file as a crashed server would leave it, holding every example batch."""
    pipeline = Pipeline(settings)
    frames = []
    for path in EXAMPLES:
        columns = pipeline.process(path.read_bytes(), RequestContext(time.time_ns())).columns
        if poison == "bad-values":
            columns.data["SeverityNumber"] = ["not a number"] * columns.count
        frames.append(encode_record(columns))
    raw = b"".join(frames)
    if poison == "bad-checksum":
        raw = raw[:-1] + bytes([raw[-1] ^ 0xFF])
    settings.spool_path.mkdir(parents=True, exist_ok=True)
    path = settings.spool_path / name
    path.write_bytes(raw)
    return path


def table_counts(settings: Settings) -> dict[str, int]:
    store = Store(settings)
    try:
        names = [
            "otel_logs",
            "rum_vitals_stage",
            "rum_errors_daily",
            "rum_page_views_daily",
            "rum_releases",
        ]
        return {name: store.query(f"SELECT count() FROM otel.{name}")[0][0] for name in names}
    finally:
        store.close()


def test_a_segment_inserted_before_a_crash_is_not_inserted_twice_on_replay(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path / "data")
    path = logged_segment(settings, "00000000000000000001-crashed.wal")
    store = Store(settings)
    try:
        store.ensure_schema()
        # The crash came after the insert and before the file was deleted.
        ClickHouseSink(store).write(decode_segment(path.read_bytes()).data, Segment(path).token)
    finally:
        store.close()
    once = table_counts(settings)
    assert once["otel_logs"] == EXAMPLE_ROWS
    app = create_app(settings)
    with TestClient(app=app):
        wait_for(lambda: app.state.writer.stats.written_batches == 1)
    assert not path.exists()
    assert table_counts(settings) == once  # the logs table and every rollup fed by it


def test_a_poisoned_segment_is_dead_lettered_and_the_rest_is_stored(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    logged_segment(settings, "00000000000000000001-refused.wal", poison="bad-values")
    logged_segment(settings, "00000000000000000002-corrupt.wal", poison="bad-checksum")
    app = create_app(settings)
    with TestClient(app=app) as client:
        post_examples(client)
        writer = app.state.writer
        wait_for(
            lambda: writer.stats.dead_lettered == 2 and writer.stats.written_rows == EXAMPLE_ROWS
        )
        health = client.get("/__deco/rum/health")
        metrics = client.get("/__deco/rum/metrics").text
    assert health.status_code == 200
    assert health.json()["status"] == "degraded" and health.json()["dead_letters"] == 2
    assert "rum_dead_lettered_segments_total 2" in metrics
    dead = settings.spool_path / "dead-letter"
    assert sorted(p.name for p in dead.glob("*.wal")) == [
        "00000000000000000001-refused.wal",
        "00000000000000000002-corrupt.wal",
    ]
    assert "checksum" in (dead / "00000000000000000002-corrupt.reason").read_text()
    assert len(read_rows(settings)) == EXAMPLE_ROWS


def unique_batches() -> list[tuple[str, bytes, int]]:
    """The examples with a fresh page-view id each time, so every stored row is traceable."""
    batches = [json.loads(path.read_text()) for path in EXAMPLES]
    out = []
    for number in range(100_000):
        batch = dict(batches[number % len(batches)])
        batch["pv"] = f"pv-n{number}"  # no run of 8 digits: a clean id is stored as sent
        out.append((batch["pv"], json.dumps(batch).encode(), len(batch["events"])))
    return out


def load(
    base: str,
    batches: list[tuple[str, bytes, int]],
    accepted: dict[str, int],
    stop: threading.Event,
) -> None:
    """Post batches until stopped or the server dies; record each answered 204."""
    for pv, body, events in batches:
        if stop.is_set():
            return
        request = urllib.request.Request(
            base + "/__deco/rum", data=body, headers={"content-type": "text/plain"}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                if answer.status == 204:
                    accepted[pv] = events
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return  # the server was killed mid-request: that batch was never acknowledged


def test_sigkill_under_load_then_restart_stores_every_accepted_event_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = rum_server("serve", "--port", str(port), "--dsn", f"chdb://{data}")
    env_flush = {"RUM_FLUSH_SECONDS": "0.2"}
    batches = unique_batches()
    accepted: dict[str, int] = {}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**_env(), **env_flush}
    )
    try:
        wait_healthy(base, process)
        stop = threading.Event()
        loaders = [
            threading.Thread(target=load, args=(base, batches[i::4], accepted, stop))
            for i in range(4)
        ]
        for loader in loaders:
            loader.start()
        wait_for(lambda: len(accepted) >= 300, seconds=60)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        stop.set()
        for loader in loaders:
            loader.join(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert list(Path(str(data) + ".spool").glob("*.wal")), "the kill should leave logged rows"

    restarted = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**_env(), **env_flush}
    )
    try:
        wait_healthy(base, restarted)
        wait_for(lambda: _health(base)["queue"]["rows"] == 0, seconds=60)
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.communicate(timeout=60)
    settings = Settings(dsn=f"chdb://{data}")
    store = Store(settings)
    try:
        stored = dict(
            store.query(
                "SELECT LogAttributes['rum.page_view.id'], count() FROM otel.otel_logs GROUP BY 1"
            )
        )
    finally:
        store.close()
    missing = {pv for pv in accepted if pv not in stored}
    assert not missing, f"{len(missing)} accepted batches lost"
    assert all(stored[pv] == events for pv, events in accepted.items()), "duplicated rows"
    # Batches in flight at the kill may be stored though never answered; never more than once.
    assert all(count == _events_of(pv, batches) for pv, count in stored.items())


def _events_of(pv: str, batches: list[tuple[str, bytes, int]]) -> int:
    return batches[int(pv.removeprefix("pv-n"))][2]


def _health(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(base + "/__deco/rum/health", timeout=5) as answer:
        result: dict[str, Any] = json.loads(answer.read())
        return result


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def maximal_batch() -> bytes:
    """The most envelope a batch can carry, shared by 200 tiny events."""
    long_url = "https://shop.example/" + "p/" * 1000 + "?utm_source=" + "x" * 20
    return json.dumps(
        {
            "v": 1,
            "site": "shop",
            "url": long_url[:2048],
            "ref": long_url[:2048],
            "route": "/" + "r" * 255,
            "pv": "pv-max",
            "sid": "s-max",
            "st": 1_764_446_400_000,
            "ver": "v" * 64,
            "env": "e" * 64,
            "events": [{"t": "page_view", "ts": 1_764_446_399_000}] * 200,
        }
    ).encode()


def test_memory_stays_flat_while_the_backlog_of_maximal_batches_grows(tmp_path: Path) -> None:
    """Queued rows live in the log on disk: 60,000 rows add under 8 MB of Python memory.

    What stays in memory is the one segment the writer retries (at most
    ``flush_rows`` rows, decoded and encoded for the insert), so the bound holds for
    any backlog.
    """
    settings = make_settings(tmp_path / "data", flush_rows=500)
    table = settings.qualified_table
    body = maximal_batch()
    app = create_app(settings)
    with TestClient(app=app) as client:
        app.state.store.command(f"RENAME TABLE {table} TO {table}_away")
        for _ in range(5):  # warm the caches (User-Agent, redaction) before measuring
            client.post("/__deco/rum", content=body, headers={"content-type": "text/plain"})
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(300):
            answer = client.post(
                "/__deco/rum", content=body, headers={"content-type": "text/plain"}
            )
            assert answer.status_code == 204
        grown = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        wal = app.state.writer.wal
        assert wal.backlog_rows == 305 * 200
        assert grown < 8 * 1024 * 1024, (
            f"{grown / 1e6:.1f} MB for {wal.backlog_bytes / 1e6:.1f} MB queued"
        )
        app.state.store.command(f"RENAME TABLE {table}_away TO {table}")
        wait_for(lambda: wal.backlog_rows == 0, seconds=60)


def test_health_answers_while_the_store_is_busy(tmp_path: Path) -> None:
    """Health reads the writer's figures; a long insert holding the store does not delay it."""
    settings = make_settings(tmp_path / "data")
    app = create_app(settings)
    with TestClient(app=app) as client:
        with app.state.store._lock:  # the store is busy with a long insert or query
            started = time.monotonic()
            health = client.get("/__deco/rum/health")
            elapsed = time.monotonic() - started
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert elapsed < 5  # it would wait for the lock forever if it asked the store


def test_rows_spooled_by_an_earlier_version_are_adopted_and_stored(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    pipeline = Pipeline(settings)
    merged: dict[str, list[Any]] = {}
    for path in EXAMPLES:  # the old spool merged several batches into full columns
        columns = pipeline.process(path.read_bytes(), RequestContext(time.time_ns())).columns
        for name, values in columns.merged().items():
            merged.setdefault(name, []).extend(values)
    settings.spool_path.mkdir(parents=True)
    old = settings.spool_path / "1764446400000000000-123.rows.msgpack"
    old.write_bytes(msgspec.msgpack.encode(merged))
    app = create_app(settings)
    with TestClient(app=app):
        wait_for(lambda: app.state.writer.stats.written_rows == EXAMPLE_ROWS)
    assert not old.exists() and not list(settings.spool_path.glob("*.wal"))
    rows = read_rows(settings)
    assert sorted(row["LogAttributes"]["rum.page_view.id"] for row in rows) == sorted(
        attributes["rum.page_view.id"] for attributes in merged["LogAttributes"]
    )
