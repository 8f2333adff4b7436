"""API answers are pages: a default limit, an offset, and where the next page starts."""

from __future__ import annotations

import pytest

from rum_server.query.pagination import DEFAULT_LIMIT, page
from rum_server.query.reports import Report, ReportError


def report(rows: int) -> Report:
    return Report(columns=["n"], rows=[{"n": n} for n in range(rows)], sql="")


def test_a_long_answer_is_cut_to_the_default_limit_with_the_next_offset() -> None:
    answer = page(report(DEFAULT_LIMIT + 5), {})
    assert len(answer.rows) == DEFAULT_LIMIT and answer.next_offset == DEFAULT_LIMIT
    last = page(report(DEFAULT_LIMIT + 5), {"offset": str(DEFAULT_LIMIT)})
    assert [row["n"] for row in last.rows] == list(range(DEFAULT_LIMIT, DEFAULT_LIMIT + 5))
    assert last.next_offset is None


@pytest.mark.parametrize(
    "query", [{"limit": "0"}, {"limit": "1001"}, {"offset": "-1"}, {"limit": "x"}]
)
def test_bad_page_parameters_are_a_clear_error(query: dict[str, str]) -> None:
    with pytest.raises(ReportError):
        page(report(3), query)
