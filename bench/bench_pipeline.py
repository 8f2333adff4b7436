"""CPU cost of the ingest pipeline alone (decode, redact, enrich, rows), no HTTP, no store.

    python bench/bench_pipeline.py [--batches 2000]

Three beacons: the 20-event benchmark beacon as wrk sends it (every string
repeats, so redaction caches are warm), the same with every message and URL made
unique (caches cold: the worst case), and a typical 6-event page hide (page view
and five vitals).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_ingest import beacon  # noqa: E402
from rum_server.settings import Settings  # noqa: E402
from rum_server.transform.pipeline import Pipeline, RequestContext  # noqa: E402

CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def unique_variant(base: bytes, n: int) -> bytes:
    """The same batch with every message, stack and URL unique to defeat the caches."""
    batch = json.loads(base)
    batch["url"] = batch["url"].replace("camiseta", f"camiseta-{n}")
    for event in batch["events"]:
        for key in ("msg", "stack", "file"):
            if key in event:
                event[key] = f"{event[key]} #{n}"
    return json.dumps(batch).encode()


def page_hide() -> bytes:
    batch = json.loads((REPO / "docs" / "examples" / "page-vitals.json").read_text())
    return json.dumps(batch).encode()


def measure(pipeline: Pipeline, bodies: list[bytes]) -> tuple[float, float]:
    """(µs per batch, µs per event), CPU time."""
    request = RequestContext(received_ns=time.time_ns(), user_agent=CHROME)
    events = 0
    start = time.process_time()
    for body in bodies:
        events += pipeline.process(body, request).accepted
    elapsed = time.process_time() - start
    return elapsed / len(bodies) * 1e6, elapsed / events * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=2000)
    args = parser.parse_args()
    pipeline = Pipeline(Settings(dsn="chdb:///unused"))
    warm = beacon()
    pipeline.process(warm, RequestContext(time.time_ns(), CHROME))
    cases = {
        "20 events, repeated strings": [warm] * args.batches,
        "20 events, unique strings": [unique_variant(warm, n) for n in range(args.batches)],
        "6 events, page hide": [page_hide()] * args.batches,
    }
    print(f"{'beacon':<30} {'us/batch':>9} {'us/event':>9}")
    for name, bodies in cases.items():
        per_batch, per_event = measure(pipeline, bodies)
        print(f"{name:<30} {per_batch:>9.1f} {per_event:>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
