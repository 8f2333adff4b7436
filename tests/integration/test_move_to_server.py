"""docs/scaling.md's move from the embedded store to a server, run as written.

The move is one ``INSERT INTO FUNCTION url(…) SELECT * FROM otel.otel_logs`` run by
the embedded engine on its own files, streaming the rows to the server's HTTP
interface; the server's materialized views fill its rollups as the rows arrive.
The test takes the snippet from the doc, points it at a seeded embedded store
and at the HTTP fixture, runs it, and checks the reports answer the same on both.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rum_server.cli.demo_data import Seed, generate
from rum_server.cli.main import main
from tests.conftest import REPO, ClickHouseServer
from tests.integration.test_server_path import SITE, cli_json, count_rows, filled

DOC = REPO / "docs" / "scaling.md"


def move_snippet() -> str:
    """The Python the doc tells operators to run (the heredoc after its ``move`` marker)."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"<!-- move -->\s*```bash\npython - <<'EOF'\n(.*?)\nEOF\n```", text, re.S)
    assert match, "docs/scaling.md lost its move snippet"
    return match.group(1)


def test_the_documented_move_brings_every_row_and_the_same_answers(
    clickhouse_server: ClickHouseServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    embedded = f"chdb://{tmp_path / 'rum-data'}"
    filled(
        embedded, list(generate(Seed(rows=5_000, days=7, site=SITE), now_ns=time.time_ns()))
    ).close()
    server = clickhouse_server.dsn()
    assert main(["schema", "--apply", "--dsn", server]) == 0  # step 2 of the doc

    snippet = (
        move_snippet()
        .replace("/srv/rum-data", str(tmp_path / "rum-data"))
        .replace("http://clickhouse.internal:8123", f"http://127.0.0.1:{clickhouse_server.port}")
        .replace("'X-ClickHouse-User' = 'rum'", f"'X-ClickHouse-User' = '{clickhouse_server.user}'")
        .replace(
            "'X-ClickHouse-Key' = 'secret'", f"'X-ClickHouse-Key' = '{clickhouse_server.password}'"
        )
    )
    moved = subprocess.run(
        [sys.executable, "-c", snippet], capture_output=True, text=True, timeout=300
    )
    assert moved.returncode == 0, moved.stderr

    assert count_rows(server) == count_rows(embedded) > 0
    for args in (["vitals", "--metric", "LCP"], ["pages"], ["trend"]):
        assert cli_json(capsys, server, args) == cli_json(capsys, embedded, args)
    # An error's route and message are any() of its rows: rows moved in another order may
    # pick another one. Every count and time must agree.
    exact = ("fingerprint", "count", "page_views", "first_seen", "last_seen")
    errors = [
        [{key: row[key] for key in exact} for row in cli_json(capsys, dsn, ["errors"])["rows"]]
        for dsn in (server, embedded)
    ]
    assert errors[0] == errors[1] and errors[0]
