"""``/__deco/rum/metrics``: the server's own figures in the Prometheus text format."""

from __future__ import annotations

import json
import re
from typing import Any

from litestar.testing import TestClient

from tests.conftest import EXAMPLE_ROWS, EXAMPLES
from tests.integration.test_store_outage import post_examples, wait_for

SAMPLE = re.compile(r'^[a-z_]+(\{[a-z_]+="[^"]*"\})? -?[0-9.e+-]+$|^[a-z_]+\{le="[^"]+"\} [0-9]+$')


def scrape(client: TestClient[Any]) -> dict[str, float]:
    response = client.get("/__deco/rum/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for line in response.text.splitlines():
        if line.startswith("#"):
            assert re.match(r"^# (HELP|TYPE) [a-z_]+ ", line), line
            continue
        assert SAMPLE.match(line), line
        name, value = line.rsplit(" ", 1)
        samples[name] = float(value)
    return samples


def test_metrics_count_accepted_refused_and_written(client: TestClient[Any]) -> None:
    post_examples(client)
    refused = client.post(
        "/__deco/rum", content=EXAMPLES[0].read_bytes(), headers={"content-type": "image/png"}
    )
    assert refused.status_code == 415
    wait_for(lambda: scrape(client)["rum_written_rows_total"] == EXAMPLE_ROWS)
    samples = scrape(client)
    assert samples["rum_accepted_events_total"] == EXAMPLE_ROWS
    assert samples["rum_accepted_batches_total"] == len(EXAMPLES)
    assert samples['rum_rejected_total{reason="unsupported_media_type"}'] == 1
    assert samples["rum_spooled_rows_total"] == EXAMPLE_ROWS
    assert samples["rum_insert_duration_seconds_count"] >= 1
    assert samples['rum_insert_duration_seconds_bucket{le="+Inf"}'] >= 1
    assert samples["rum_queue_rows"] == 0 and samples["rum_queue_bytes"] == 0
    assert samples["rum_dead_lettered_segments_total"] == 0
    assert "rum_open_connections" in samples


def test_each_masked_value_is_counted_by_its_detector(client: TestClient[Any]) -> None:
    """One email in an error message and one CPF in its second line: one hit each."""
    beacon = json.loads(EXAMPLES[0].read_text())
    beacon["url"] = "https://www.acme-store.com.br/checkout"
    beacon["events"] = [
        {
            "t": "error",
            "ts": beacon["st"],
            "src": "error",
            "type": "Error",
            "msg": "No account for maria.lima@example.com\nCPF 529.982.247-25 is taken",
            "n": 1,
        }
    ]
    before = scrape(client)
    response = client.post(
        "/__deco/rum", content=json.dumps(beacon), headers={"content-type": "text/plain"}
    )
    assert response.status_code == 204
    after = scrape(client)

    def added(detector: str) -> float:
        name = f'rum_redactions_total{{detector="{detector}"}}'
        return after.get(name, 0) - before.get(name, 0)

    assert added("email") == 1
    assert added("cpf") == 1
    assert added("card") == 0
