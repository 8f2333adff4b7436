"""``GET /__deco/rum/api/contract``: the stored names the dashboard needs, from contract.py.

The dashboard draws rating bands and lists metrics; it reads the metric names, units,
web-vitals thresholds, ratings and device types here instead of keeping its own
copies, so a threshold changes in one place. Public: these are the contract's names,
not data.
"""

from __future__ import annotations

import msgspec
from litestar import get

from rum_server import contract


class MetricInfo(msgspec.Struct):
    name: str
    unit: str
    good: float
    poor: float
    legacy: bool


class ContractInfo(msgspec.Struct):
    metrics: list[MetricInfo]
    ratings: list[str]
    devices: list[str]
    events: list[str]


def contract_info() -> ContractInfo:
    return ContractInfo(
        metrics=[
            MetricInfo(m.name, m.unit, m.good, m.poor, m.legacy) for m in contract.METRICS.values()
        ],
        ratings=list(contract.RATINGS),
        devices=list(contract.DEVICE_TYPES),
        events=[kind.name for kind in contract.EVENT_KINDS],
    )


CONTRACT = contract_info()


@get("/__deco/rum/api/contract", summary="Metric names, units and thresholds", tags=["query"])
async def contract_handler() -> ContractInfo:
    """Metric names with units and web-vitals thresholds, ratings, device types, event names."""
    return CONTRACT
