"""Nothing accepted is lost while the store is down: rows wait in the queue and land later.

The outage is real: the logs table is renamed away so inserts fail in ClickHouse
itself, then renamed back.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from rum_server.app import create_app
from rum_server.storage.store import Store
from tests.conftest import EXAMPLE_ROWS, EXAMPLES, make_settings, read_rows


def wait_for(predicate: Any, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def post_examples(client: TestClient[Any]) -> None:
    for path in EXAMPLES:
        response = client.post(
            "/__deco/rum", content=path.read_bytes(), headers={"content-type": "text/plain"}
        )
        assert response.status_code == 204


def test_batches_accepted_during_an_outage_are_written_when_the_store_returns(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path / "data")
    table = settings.qualified_table
    expected = EXAMPLE_ROWS
    app = create_app(settings)
    with TestClient(app=app) as client:
        store = app.state.store
        writer = app.state.writer
        store.command(f"RENAME TABLE {table} TO {table}_away")
        post_examples(client)
        wait_for(lambda: writer.stats.failed_writes >= 2)
        assert writer.stats.queued_rows == expected
        health = client.get("/__deco/rum/health").json()
        assert health["failed_writes"] >= 2 and health["queue"]["rows"] == expected
        store.command(f"RENAME TABLE {table}_away TO {table}")
        wait_for(lambda: writer.stats.queued_rows == 0)
    assert len(read_rows(settings)) == expected


def test_health_is_200_with_queue_figures_when_the_store_answers(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    with TestClient(app=create_app(settings)) as client:
        response = client.get("/__deco/rum/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["store"] == "ok"
    assert body["queue"]["capacity"] == settings.queue_max_rows


def test_rows_the_store_refused_through_a_shutdown_are_spooled_and_replayed(
    tmp_path: Path,
) -> None:
    # No time-based seal while the examples are posted (the tests' 50 ms would split them
    # into two segments on a busy machine): the shutdown seals the one segment.
    settings = make_settings(tmp_path / "data", flush_seconds=60)
    table = settings.qualified_table
    expected = EXAMPLE_ROWS
    app = create_app(settings)
    with TestClient(app=app) as client:
        app.state.store.command(f"RENAME TABLE {table} TO {table}_away")
        post_examples(client)
    spooled = list(settings.spool_path.glob("*.wal"))
    assert len(spooled) == 1  # one segment: the batches that were logged before the answers

    store = Store(settings)
    try:
        store.command(f"RENAME TABLE {table}_away TO {table}")
    finally:
        store.close()
    app = create_app(settings)
    with TestClient(app=app) as client:
        wait_for(lambda: app.state.writer.stats.written_rows == expected)
    assert len(read_rows(settings)) == expected
    assert list(settings.spool_path.glob("*.wal")) == []
