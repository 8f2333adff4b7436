"""JS errors: repeats counted in one row, rejections apart, personal data masked."""

from __future__ import annotations

from e2e.harness import Run

SITE = "e2e-errors"


def test_error_thrown_three_times_is_one_row_with_count_3(run: Run) -> None:
    rows = [r for r in run.of(SITE, "rum.error") if "widget" in r.attr("rum.error.message")]
    assert len(rows) == 1, [r.attributes for r in rows]
    assert rows[0].attr("rum.error.count") == "3"
    assert rows[0].attr("rum.error.source") == "error"
    assert rows[0].attr("rum.error.line") not in ("", "0")


def test_unhandled_rejection_is_its_own_row(run: Run) -> None:
    errors = run.of(SITE, "rum.error")
    rows = [r for r in errors if r.attr("rum.error.source") == "unhandledrejection"]
    assert len(rows) == 1
    assert "payment service unavailable" in rows[0].attr("rum.error.message")
    assert rows[0].attr("rum.error.count") == "1"


def test_email_in_an_error_message_is_masked(run: Run) -> None:
    rows = [r for r in run.of(SITE, "rum.error") if "no account for" in r.attr("rum.error.message")]
    assert len(rows) == 1
    assert "jane.doe@example.com" not in rows[0].attr("rum.error.message")
    assert "jane.doe@example.com" not in rows[0].attr("rum.error.stack")


def test_three_distinct_errors_in_all(run: Run) -> None:
    fingerprints = {r.attr("rum.error.fingerprint") for r in run.of(SITE, "rum.error")}
    assert len(fingerprints) == 3
