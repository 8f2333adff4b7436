"""Every report, declared once: its parameters, its help, and how it runs on a store.

The JSON API (one GET per report), ``rum-server query`` (one sub-command per report,
and its fallback to a running server's API) and the dashboard (through the API) are
all built from :data:`REPORTS`. A new report is one :class:`ReportSpec` here plus its
SQL builder in :mod:`.reports`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rum_server import contract, error_reports
from rum_server.query import reports
from rum_server.query.reports import Comparison, DateRange, Filters, Report, ReportError
from rum_server.storage.store import Store

DEFAULT_FUNNEL = "view_item,add_to_cart,begin_checkout,purchase"


@dataclass(frozen=True, slots=True)
class Param:
    """One report parameter: an API query parameter and a ``rum-server query`` option."""

    name: str
    default: str | int = ""
    help: str = ""
    choices: tuple[str, ...] = ()
    """Offered by the CLI; the report itself checks every value (the API's 400)."""
    api_required: bool = False
    upper: bool = False
    """Accept any case (``lcp``): the value is upper-cased before it is checked."""

    @property
    def kind(self) -> type:
        return int if isinstance(self.default, int) else str

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def describe(self) -> str:
        """The help text with the default, as the OpenAPI schema shows it."""
        known = self.api_required or self.default == "" or "default" in self.help
        default = "" if known else f"default {self.default}"
        return "; ".join(part for part in (self.help, default) if part)

    def parse(self, raw: str | None) -> str | int:
        """The value from its text (absent: the default); raises :class:`ReportError`."""
        if raw is None:
            if self.api_required:
                raise ReportError(f"{self.name} is required")
            return self.default
        if self.kind is int:
            try:
                return int(raw)
            except ValueError:
                raise ReportError(f"{self.name} must be a whole number, got {raw!r}") from None
        return raw.upper() if self.upper else raw


Values = Mapping[str, Any]
Runner = Callable[[Store, Values], Report]


@dataclass(frozen=True, slots=True)
class ReportSpec:
    """A report: its name (API path and CLI sub-command), help, parameters and runner."""

    name: str
    help: str
    summary: str
    params: tuple[Param, ...]
    run: Runner

    def parse(self, raw: Mapping[str, str]) -> dict[str, Any]:
        """Typed values of every parameter from query parameters (unknown ones ignored)."""
        return {param.name: param.parse(raw.get(param.name)) for param in self.params}

    def query_string(self, values: Values) -> dict[str, str]:
        """The API query parameters for ``values`` (empty ones left out, as defaults)."""
        return {p.name: str(values[p.name]) for p in self.params if values.get(p.name, "") != ""}


def site(days: int = 7) -> tuple[Param, ...]:
    """The filters every report shares."""
    return (
        Param("site", "", "site id (ServiceName); default all sites"),
        Param("days", days, f"last N days (default {days})"),
        Param("device", "", "desktop, mobile, tablet …; default all"),
    )


def metric(default: str, help: str = "") -> Param:
    return Param("metric", default, help, choices=contract.METRIC_NAMES, upper=True)


def filters(values: Values) -> Filters:
    return Filters(
        site=values["site"],
        days=values["days"],
        metric=values.get("metric", ""),
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


def funnel_steps(values: Values) -> list[str]:
    return [name.strip() for name in str(values["names"]).split(",")]


REPORTS: dict[str, ReportSpec] = {
    spec.name: spec
    for spec in (
        ReportSpec(
            "vitals",
            "p50/p75/p95 and rating shares",
            "p50/p75/p95 and rating shares of one metric, by route, device, browser or release.",
            (*site(), metric("LCP"), Param("by", "route", choices=tuple(reports.GROUPS))),
            lambda store, v: reports.vitals(store, filters(v), v["by"]),
        ),
        ReportSpec(
            "trend",
            "daily p75 per metric, release days",
            "Daily p75 and samples per metric, with the releases first seen each day.",
            (*site(days=30), metric("", "default: every metric")),
            lambda store, v: reports.trend(store, filters(v)),
        ),
        ReportSpec(
            "errors",
            "top error fingerprints",
            "Top error fingerprints: type, sample message, weighted count, page views, first/last.",
            (
                *site(),
                Param("limit", 20),
                Param("fingerprint", "", "one error in full: symbolicated stack, releases, routes"),
            ),
            lambda store, v: (
                error_reports.error_detail(store, filters(v), v["fingerprint"])
                if v["fingerprint"]
                else error_reports.errors(store, filters(v), v["limit"])
            ),
        ),
        ReportSpec(
            "pages",
            "page views and sessions per route",
            "Weighted page views and sessions per route.",
            site(),
            lambda store, v: reports.pages(store, filters(v)),
        ),
        ReportSpec(
            "compare",
            "p75 of two releases or date ranges, with significance",
            "p75 of two releases (default: the two newest) or two date ranges, and the change.",
            (
                *site(),
                metric("LCP"),
                Param("a", "", "baseline release (default: the one before b)"),
                Param("b", "", "release to judge (default: the newest)"),
                Param("a_range", "", "baseline days FIRST..LAST"),
                Param("b_range", "", "days to judge FIRST..LAST"),
                Param("by", "", "default: one row", choices=("route", "device", "browser")),
            ),
            lambda store, v: reports.compare(store, filters(v), comparison(v)),
        ),
        ReportSpec(
            "events",
            "funnel of custom events per session",
            "Funnel: sessions reaching each of ``names`` (comma list) in order.",
            (
                *site(),
                Param(
                    "names",
                    DEFAULT_FUNNEL,
                    "event names in funnel order, comma separated",
                    api_required=True,
                ),
            ),
            lambda store, v: reports.events(store, filters(v), funnel_steps(v)),
        ),
        ReportSpec(
            "sites",
            "site ids with data",
            "Site ids with data, with their first and last row.",
            site(),
            lambda store, v: reports.sites(store),
        ),
    )
}
"""In the order ``rum-server query --help`` lists them."""
