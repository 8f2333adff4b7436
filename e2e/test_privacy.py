"""Sampling and consent: what must not be stored is not."""

from __future__ import annotations

from e2e.harness import Run


def test_sample_rate_zero_stores_nothing(run: Run) -> None:
    assert run.of("e2e-rate0") == []


def test_error_rate_apart_from_the_sample_rate_keeps_only_errors_at_their_rate(run: Run) -> None:
    rows = run.of("e2e-error-rate")
    assert {r.event for r in rows} == {"rum.error"}
    assert rows[0].attr("rum.error.count") == "2"
    assert {r.attr("rum.sample_rate") for r in rows} == {"1"}


def test_error_rate_zero_drops_errors_but_keeps_the_rest(run: Run) -> None:
    events = {r.event for r in run.of("e2e-no-error-rate")}
    assert "rum.error" not in events
    assert {"rum.page_view", "rum.web_vital"} <= events


def test_consent_required_and_never_given_stores_and_keeps_nothing(run: Run) -> None:
    assert run.of("e2e-consent-never") == []
    assert run.observed["e2e-consent-never"]["session_storage_keys"] == []


def test_consent_given_later_sends_what_was_measured_before_and_after(run: Run) -> None:
    observed = run.observed["e2e-consent-given"]
    assert observed["before"] == []
    assert observed["after"] != []
    events = {r.event for r in run.of("e2e-consent-given")}
    assert events >= {"rum.page_view", "rum.error", "rum.event", "rum.web_vital"}


def test_a_control_site_with_the_same_page_is_stored(run: Run) -> None:
    # Guards the two "nothing stored" tests above against a scenario that sends nothing at all.
    assert run.of("e2e-errors") != []
