"""Every report, declared once: its parameters, help, column units and how it runs.

The JSON API (one ``GET /__deco/rum/api/<report>`` each, :mod:`rum_server.query.api`),
``rum-server query <report>`` (one sub-command each, :mod:`rum_server.cli.query`, and its
fallback to a running server's API) and the dashboard (through the API and the report
list of ``/api/contract``) are all built from :data:`REPORTS`. A new report is one
:class:`ReportSpec` here plus its executor in :mod:`.reports`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from rum_server.contract import METRIC_NAMES
from rum_server.query import error_reports, reports
from rum_server.query.reports import Comparison, DateRange, Filters, Report
from rum_server.storage.store import Store
from rum_server.transform.labels import RESERVED_FUNNEL

Values = Mapping[str, Any]
"""A report's parameter values by name, typed (``days`` an int), defaults filled in."""
Builder = Callable[[Store], Report]
"""A report ready to run: its parameters are checked, only the store is missing."""
Unit = Literal["", "share", "percent", "metric"]
"""How a column reads: a fraction 0-1, a percent, a metric value (ms, or CLS's score)."""


@dataclass(frozen=True, slots=True)
class Param:
    """One report parameter: an API query parameter and a ``rum-server query`` option."""

    name: str
    default: str | int = ""
    help: str = ""
    choices: tuple[str, ...] = ()
    """Offered by the CLI; the report itself checks every value (the API's 400)."""
    upper: bool = False
    """The CLI upper-cases the value (``--metric lcp``); the report does so for the API."""
    aliases: tuple[str, ...] = ()
    """Older spellings, still accepted: extra CLI flags and extra API query parameters."""

    @property
    def kind(self) -> type[int] | type[str]:
        return int if isinstance(self.default, int) else str

    @property
    def flags(self) -> list[str]:
        return ["--" + name.replace("_", "-") for name in (self.name, *self.aliases)]

    def value(self, given: Mapping[str, Any]) -> Any:
        """This parameter's value among ``given``: by name (an empty one by an alias), else
        the default when absent."""
        value = given.get(self.name)
        for alias in self.aliases:
            value = value or given.get(alias) or value
        return self.default if value is None else value


@dataclass(frozen=True, slots=True)
class ReportSpec:
    """A report: its name (API path and CLI sub-command), help, parameters, units, runner.

    ``prepare`` checks the values (raising :class:`~.reports.ReportError`, a 400 or exit 2)
    before any store is opened, and returns what runs the report on one.
    """

    name: str
    help: str
    """One line, for ``rum-server query --help``."""
    summary: str
    """A sentence, for the API's OpenAPI description."""
    prepare: Callable[[Values], Builder]
    params: tuple[Param, ...] = ()
    units: Mapping[str, Unit] = field(default_factory=dict)
    """How the columns that are not plain counts or text read (the columns themselves
    are the SQL's)."""
    days: int = 7
    filters: bool = True
    """Takes ``site``, ``days`` and ``device`` (the options every sub-command shows)."""
    all_params: tuple[Param, ...] = field(init=False)

    def __post_init__(self) -> None:
        common = filter_params(self.days) if self.filters else ()
        object.__setattr__(self, "all_params", (*common, *self.params))

    def values(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Every parameter's value from ``given`` (parsed API query or CLI options)."""
        return {param.name: param.value(given) for param in self.all_params}

    def query_string(self, values: Values) -> dict[str, str]:
        """The API query parameters for ``values``, empty ones left out (the defaults)."""
        texts = {param.name: str(values.get(param.name, "")) for param in self.all_params}
        return {name: text for name, text in texts.items() if text}


def filter_params(days: int = 7) -> tuple[Param, ...]:
    """The filters most reports share."""
    return (
        Param("site", "", "site id (ServiceName); default all sites"),
        Param("days", days, f"last N days (default {days})"),
        Param("device", "", "desktop, mobile, tablet …; default all"),
    )


def metric_param(default: str, help: str = "") -> Param:
    return Param("metric", default, help, choices=METRIC_NAMES, upper=True)


def filters(values: Values) -> Filters:
    """The shared filters; the metric in any case (``lcp``)."""
    return Filters(
        site=values["site"],
        days=values["days"],
        metric=str(values.get("metric", "")).upper(),
        device=values["device"],
    )


def comparison(values: Values) -> Comparison:
    return Comparison(
        a=values["a"],
        b=values["b"],
        a_range=DateRange.parse(values["a_range"]) if values["a_range"] else None,
        b_range=DateRange.parse(values["b_range"]) if values["b_range"] else None,
        by=values["by"],
    )


# --- how each report runs (checked values first, then the store) ----------------------------


def _vitals(values: Values) -> Builder:
    chosen = filters(values)
    return lambda store: reports.vitals(store, chosen, values["by"])


def _trend(values: Values) -> Builder:
    chosen = filters(values)
    return lambda store: reports.trend(store, chosen)


def _errors(values: Values) -> Builder:
    chosen = filters(values)
    if values["fingerprint"]:
        return lambda store: error_reports.error_detail(store, chosen, values["fingerprint"])
    return lambda store: error_reports.errors(store, chosen, values["limit"])


def _pages(values: Values) -> Builder:
    chosen = filters(values)
    return lambda store: reports.pages(store, chosen)


def _compare(values: Values) -> Builder:
    chosen = filters(values)
    compared = comparison(values)
    return lambda store: reports.compare(store, chosen, compared)


def _events(values: Values) -> Builder:
    chosen = filters(values)
    steps = reports.funnel_steps(values["steps"])
    return lambda store: reports.events(store, chosen, steps, values["release"], values["by"])


def _top_events(values: Values) -> Builder:
    chosen = filters(values)
    label, limit, release = values["label"], values["limit"], values["release"]
    return lambda store: reports.top_events(store, chosen, label, limit, release)


def _sites(_values: Values) -> Builder:
    return reports.sites


SHARES: dict[str, Unit] = {"good": "share", "needs_improvement": "share", "poor": "share"}
RELEASE = Param("release", "", "one release (service.version) only")

REPORTS: dict[str, ReportSpec] = {
    spec.name: spec
    for spec in (
        ReportSpec(
            "vitals",
            "p50/p75/p95 and rating shares",
            "p50/p75/p95 and rating shares of one metric, by route, device, browser or release.",
            _vitals,
            (metric_param("LCP"), Param("by", "route", choices=tuple(reports.GROUPS))),
            SHARES | {"p50": "metric", "p75": "metric", "p95": "metric"},
        ),
        ReportSpec(
            "trend",
            "daily p75 per metric, release days",
            "Daily p75 and samples per metric, with the releases first seen each day.",
            _trend,
            (metric_param("", "default: every metric"),),
            {"p75": "metric"},
            days=30,
        ),
        ReportSpec(
            "errors",
            "top error fingerprints",
            "Top error fingerprints (type, sample message, weighted count, page views, "
            "first/last, symbolicated top frame), or with ``fingerprint`` that one error "
            "in full.",
            _errors,
            (
                Param("limit", 20),
                Param("fingerprint", "", "one error in full: symbolicated stack, releases, routes"),
            ),
        ),
        ReportSpec(
            "pages",
            "page views and sessions per route",
            "Weighted page views and sessions per route.",
            _pages,
        ),
        ReportSpec(
            "compare",
            "p75 of two releases or date ranges, with significance",
            "p75 of two releases (default: the two newest) or two date ranges, and the change.",
            _compare,
            (
                metric_param("LCP"),
                Param("a", "", "baseline release (default: the one before b)"),
                Param("b", "", "release to judge (default: the newest)"),
                Param("a_range", "", "baseline days FIRST..LAST"),
                Param("b_range", "", "days to judge FIRST..LAST"),
                Param("by", "", "default: one row", choices=("route", "device", "browser")),
            ),
            {
                "p75_a": "metric",
                "p75_b": "metric",
                "change": "metric",
                "change_pct": "percent",
                "change_low": "metric",
                "change_high": "metric",
            },
        ),
        ReportSpec(
            "events",
            "funnel: weighted events per step and step-to-step conversion",
            "The funnel: weighted events of each of ``steps`` (comma list; default the "
            "reserved funnel; ``names`` is the older spelling) and the conversion from step "
            "to step; with ``by`` (release, device, route), one funnel per value.",
            _events,
            (
                Param(
                    "steps",
                    "",
                    "event names in funnel order, comma separated (default: the reserved "
                    f"funnel {','.join(RESERVED_FUNNEL)})",
                    aliases=("names",),
                ),
                RELEASE,
                Param("by", "", "one funnel per value", choices=tuple(reports.FUNNEL_GROUPS)),
            ),
            {"of_first": "share", "conversion": "share"},
        ),
        ReportSpec(
            "top-events",
            "custom events by weighted count, optionally per label value",
            "Custom events by weighted count and share; with ``label``, per value of that label.",
            _top_events,
            (
                Param("label", "", "also split by this label key"),
                Param("limit", 20),
                RELEASE,
            ),
            {"share": "share"},
        ),
        ReportSpec(
            "sites",
            "site ids with data",
            "Site ids with data, with their first and last row.",
            _sites,
            filters=False,
        ),
    )
}
"""In the order ``rum-server query --help`` lists them."""


def columns_with(unit: Unit) -> set[str]:
    """Every column, of any report, that reads in ``unit`` (for the CLI's tables)."""
    return {name for spec in REPORTS.values() for name, kind in spec.units.items() if kind == unit}
