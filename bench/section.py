"""Runs one store-touching section in its own process (one embedded ClickHouse each).

    python -m bench.section NAME '{"arg": ...}' OUT.json

Called by ``python -m bench``; the result is written as JSON to OUT.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def main(name: str, args: dict[str, Any]) -> Any:
    if name == "stages":
        from bench.corpus import Generator
        from bench.reference.app import Batch, to_rows
        from bench.stages import reference_costs, stage_costs

        beacons = Generator().beacons(args["beacons"])
        result = stage_costs(beacons, args["dsn"])
        result["reference_us_per_event"] = reference_costs(
            beacons, Batch.model_validate_json, to_rows
        )
        return result
    if name == "store":
        from bench import store
        from bench.corpus import Generator

        return store.run(Generator().beacons(args["beacons"]), args["dsn"], args["repeats"])
    if name == "seed":
        from bench.queries import seed

        return seed(args["dsn"], args["rows"])
    if name == "direct":
        from bench.queries import direct

        return direct(args["dsn"], args["repeats"])
    raise SystemExit(f"unknown section {name!r}")


if __name__ == "__main__":
    result = main(sys.argv[1], json.loads(sys.argv[2]))
    Path(sys.argv[3]).write_text(json.dumps(result))
