"""A metric re-reported on each hide keeps its id; its last report holds its final value."""

from __future__ import annotations

import pytest

from e2e.harness import Run

SITE = "e2e-rereport"


@pytest.mark.parametrize("metric", ["CLS", "INP"])
def test_rereports_share_one_metric_id_and_end_with_the_largest(run: Run, metric: str) -> None:
    rows = run.vitals(SITE, metric)
    assert len(rows) >= 2, [r.attributes for r in rows]
    assert len({r.attr("rum.metric.id") for r in rows}) == 1
    values = [float(r.attr("rum.metric.value")) for r in rows]
    assert values == sorted(values) and values[-1] > values[0], values
    deltas = [float(r.attr("rum.metric.delta")) for r in rows]
    assert sum(deltas) == pytest.approx(values[-1], abs=0.01)
