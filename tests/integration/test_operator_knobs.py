"""The knobs that used to be module constants are settings, and the server obeys them.

Their defaults (the former constants) are covered by the tests of each stage; here each
is set away from its default and the stage is seen to follow it.
"""

from __future__ import annotations

import gzip
import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from litestar.testing import TestClient

from rum_server.app import create_app
from rum_server.ingest.connections import apply_connection_guards
from rum_server.storage.otlp import OtlpExportError
from rum_server.storage.rollups import RollupTables, settle_if_due
from rum_server.storage.sink import ClickHouseSink
from rum_server.storage.sinks import make_sink
from rum_server.storage.store import Store
from rum_server.transform.pipeline import Pipeline, RequestContext
from tests.conftest import EXAMPLES, make_settings
from tests.integration.test_durability import logged_segment
from tests.integration.test_store_outage import wait_for

TEXT = {"content-type": "text/plain"}


def test_the_body_limits_are_rum_max_body_bytes_and_rum_max_decoded_bytes(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path / "data", max_body_bytes=2048, max_decoded_bytes=4096)
    example = EXAMPLES[0].read_bytes()
    assert len(example) < 2048
    padded = json.dumps({**json.loads(example), "pad": "x" * 2048}).encode()
    inflating = gzip.compress(b" " * 4097)
    with TestClient(app=create_app(settings)) as client:
        assert client.post("/__deco/rum", content=example, headers=TEXT).status_code in (202, 204)
        too_long = client.post("/__deco/rum", content=padded, headers=TEXT)
        assert too_long.status_code == 413 and "2048" in too_long.json()["error"]
        declared = client.post(
            "/__deco/rum", content=padded, headers={**TEXT, "content-length": str(len(padded))}
        )
        assert declared.status_code == 413
        bomb = client.post(
            "/__deco/rum", content=inflating, headers={**TEXT, "content-encoding": "gzip"}
        )
        assert bomb.status_code == 413 and "4096" in bomb.json()["error"]


def test_the_header_limit_is_rum_max_header_bytes(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", max_header_bytes=4096)
    config = uvicorn.Config(app=lambda *_: None)
    apply_connection_guards(config, settings)
    assert config.h11_max_incomplete_event_size == 4096


def test_a_segment_is_dead_lettered_after_rum_dead_letter_attempts_refusals(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path / "data", dead_letter_attempts=1)
    logged_segment(settings, "00000000000000000001-refused.wal", poison="bad-values")
    app = create_app(settings)
    with TestClient(app=app):
        wait_for(lambda: app.state.writer.stats.dead_lettered == 1)
    reason = settings.spool_path / "dead-letter" / "00000000000000000001-refused.reason"
    assert reason.read_text().startswith("refused 1 times")


def vitals_in(paths: list[Path]) -> int:
    return sum(
        1 for p in paths for e in json.loads(p.read_text())["events"] if e["t"] == "web_vital"
    )


def settled_vitals(store: Store) -> int:
    daily = RollupTables.in_database(store.settings.database).vitals_daily
    return int(store.query(f"SELECT sum(kept) FROM {daily}")[0][0])


@pytest.mark.parametrize(("seconds", "second_settles"), [(3600.0, False), (1e-6, True)])
def test_readers_settle_at_most_once_per_rum_settle_seconds(
    tmp_path: Path, seconds: float, second_settles: bool
) -> None:
    settings = make_settings(tmp_path / "data", settle_seconds=seconds)
    with_vitals = [path for path in EXAMPLES if vitals_in([path])]
    first, second = with_vitals[:1], with_vitals[1:]
    assert vitals_in(second)
    pipeline = Pipeline(settings)
    store = Store(settings)
    try:
        store.ensure_schema()
        sink = ClickHouseSink(store)

        def insert(paths: list[Path], token: str) -> None:
            for path in paths:
                processed = pipeline.process(path.read_bytes(), RequestContext(time.time_ns()))
                sink.write(processed.columns.data, f"{token}-{path.name}")

        insert(first, "first")
        settle_if_due(store)
        assert settled_vitals(store) == vitals_in(first)
        insert(second, "second")
        settle_if_due(store)
        expected = vitals_in(first) + (vitals_in(second) if second_settles else 0)
        assert settled_vitals(store) == expected
    finally:
        store.close()


def test_the_otlp_sink_gives_up_on_a_silent_endpoint_after_rum_otlp_timeout_seconds(
    tmp_path: Path,
) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)  # connections are accepted by the kernel and never answered
    endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}"
    settings = make_settings(
        tmp_path / "data", sinks=("otlp",), otlp_endpoint=endpoint, otlp_timeout_seconds=0.3
    )
    sink = make_sink("otlp", settings, store=None)  # type: ignore[arg-type]  # unused for otlp
    columns: dict[str, list[Any]] = {"Timestamp": []}
    started = time.monotonic()
    try:
        with pytest.raises(OtlpExportError):
            sink.write(columns)
    finally:
        silent.close()
    assert time.monotonic() - started < 5  # the former fixed timeout was 10 s
