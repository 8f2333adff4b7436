"""What ``GET /__deco/rum/api/contract`` answers: the names and thresholds clients draw with.

The dashboard lists metrics, colours p75s by the web-vitals thresholds and offers the
reports; it reads all of that here instead of keeping its own copies, so a threshold
or a new report changes in one place (``rum_server/contract.py``, the report registry).
"""

from __future__ import annotations

import msgspec

from rum_server import contract as stored
from rum_server.query.registry import REPORTS, ReportSpec
from rum_server.transform.labels import RESERVED_FUNNEL


class Metric(msgspec.Struct):
    name: str
    unit: str
    """``ms``, or ``""`` for a unitless score (CLS)."""
    good: float
    """Good up to this value, included."""
    poor: float
    """Poor above this value."""
    legacy: bool
    """Sent only by browsers without INP (FID), never mixed into it: not a dashboard tile."""


class ReportParam(msgspec.Struct):
    name: str
    type: str
    default: str | int
    choices: list[str]
    aliases: list[str]
    help: str


class ReportInfo(msgspec.Struct):
    name: str
    path: str
    """Relative to the API: ``vitals`` is ``/__deco/rum/api/vitals``."""
    help: str
    params: list[ReportParam]
    units: dict[str, str]
    """Columns that are ``share`` (0-1), ``percent`` or ``metric`` (the metric's unit)."""


class Contract(msgspec.Struct):
    metrics: list[Metric]
    ratings: list[str]
    devices: list[str]
    events: list[str]
    funnel: list[str]
    """The reserved commerce funnel, the ``events`` report's default steps."""
    reports: list[ReportInfo]


def report_info(spec: ReportSpec) -> ReportInfo:
    params = [
        ReportParam(
            name=param.name,
            type=param.kind.__name__,
            default=param.default,
            choices=list(param.choices),
            aliases=list(param.aliases),
            help=param.help,
        )
        for param in spec.all_params
    ]
    return ReportInfo(spec.name, spec.name, spec.summary, params, dict(spec.units))


def contract() -> Contract:
    """The contract as the API answers it (built once: it changes only with the code)."""
    return Contract(
        metrics=[
            Metric(metric.name, metric.unit, metric.good, metric.poor, metric.legacy)
            for metric in stored.METRICS.values()
        ],
        ratings=list(stored.RATINGS),
        devices=list(stored.DEVICE_TYPES),
        events=[kind.name for kind in stored.EVENT_KINDS],
        funnel=list(RESERVED_FUNNEL),
        reports=[report_info(spec) for spec in REPORTS.values()],
    )
