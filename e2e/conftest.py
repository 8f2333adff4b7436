"""One real server run and one real Chromium for the whole e2e suite (see harness.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from e2e.harness import Run, run_scenarios
from e2e.scenarios import SCENARIOS


@pytest.fixture(scope="session")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Every scenario, driven once; Playwright is closed again before the tests read the rows
    (a sync Playwright left open would stop other e2e modules from starting their own)."""
    data_dir: Path = tmp_path_factory.mktemp("e2e") / "data"
    with sync_playwright() as playwright:
        return run_scenarios(playwright, data_dir, SCENARIOS)
