"""CSV cells never start a spreadsheet formula (OWASP CSV injection)."""

from __future__ import annotations

import pytest

from rum_server.cli.csv_safe import safe_cell


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_text_that_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    assert safe_cell(text) == "'" + text


def test_plain_text_and_numbers_are_unchanged() -> None:
    assert safe_cell("/checkout") == "/checkout"
    assert safe_cell(-3.5) == -3.5
    assert safe_cell(None) is None


def test_query_format_csv_escapes_stored_text() -> None:
    from rum_server.cli.query import render_csv
    from rum_server.query.reports import Report

    report = Report(
        columns=["message", "count"], rows=[{"message": "=cmd|' /C calc'!A0", "count": -1}], sql=""
    )
    assert render_csv(report).splitlines()[1] == "'=cmd|' /C calc'!A0,-1"
