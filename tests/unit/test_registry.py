"""One registry declares every report: its parameters parse alike for the API and the CLI."""

from __future__ import annotations

import pytest

from rum_server.query.registry import DEFAULT_FUNNEL, REPORTS
from rum_server.query.reports import ReportError


def test_every_report_is_registered_once_in_cli_order() -> None:
    assert list(REPORTS) == ["vitals", "trend", "errors", "pages", "compare", "events", "sites"]
    for name, spec in REPORTS.items():
        assert spec.name == name and spec.help and spec.summary
        assert [p.name for p in spec.params][:3] == ["site", "days", "device"]


def test_query_parameters_parse_to_typed_values_with_defaults() -> None:
    values = REPORTS["errors"].parse({"days": "3", "limit": "5", "unknown": "x"})
    assert values == {"site": "", "days": 3, "device": "", "limit": 5, "fingerprint": ""}
    assert REPORTS["trend"].parse({})["days"] == 30
    assert REPORTS["vitals"].parse({}) == {
        "site": "",
        "days": 7,
        "device": "",
        "metric": "LCP",
        "by": "route",
    }


def test_bad_numbers_and_missing_required_parameters_are_report_errors() -> None:
    with pytest.raises(ReportError, match="days must be a whole number, got 'seven'"):
        REPORTS["vitals"].parse({"days": "seven"})
    with pytest.raises(ReportError, match="names is required"):
        REPORTS["events"].parse({})
    names = next(p for p in REPORTS["events"].params if p.name == "names")
    assert names.default == DEFAULT_FUNNEL  # the CLI's default; the API asks for it


def test_the_api_query_string_leaves_out_empty_values() -> None:
    spec = REPORTS["compare"]
    values = spec.parse({"a": "r1", "b": "r2", "days": "14"})
    assert spec.query_string(values) == {"days": "14", "metric": "LCP", "a": "r1", "b": "r2"}


def test_metric_names_are_accepted_in_any_case() -> None:
    assert REPORTS["vitals"].parse({"metric": "lcp"})["metric"] == "LCP"
