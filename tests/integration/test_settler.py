"""The server folds new vitals into the daily rollup in the background."""

from __future__ import annotations

import json
import time
from pathlib import Path

from litestar.testing import TestClient

from rum_server.app import create_app
from rum_server.storage.settler import Settler
from tests.conftest import EXAMPLE_ROWS, EXAMPLES, make_settings


def test_the_settler_fills_the_daily_rollup_without_any_reader(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    app = create_app(settings)
    vitals = sum(
        1 for p in EXAMPLES for e in json.loads(p.read_text())["events"] if e["t"] == "web_vital"
    )
    with TestClient(app=app) as client:
        for path in EXAMPLES:
            client.post(
                "/__deco/rum", content=path.read_bytes(), headers={"content-type": "text/plain"}
            )
        store = app.state.store
        rows = EXAMPLE_ROWS
        deadline = time.monotonic() + 20
        while app.state.writer.stats.written_rows < rows:
            time.sleep(0.05)
            assert time.monotonic() < deadline, "the rows were never written"
        settler = Settler(store, interval=0.1)
        settler.start()
        try:
            while not store.query("SELECT sum(kept) FROM otel.rum_vitals_histograms")[0][0]:
                time.sleep(0.1)
                assert time.monotonic() < deadline, "the rollup was never settled"
        finally:
            settler.close()
        assert store.query("SELECT sum(kept) FROM otel.rum_vitals_histograms") == [(vitals,)]
