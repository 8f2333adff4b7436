"""One real server run and one real Chromium for the whole e2e suite (see harness.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from e2e.harness import Run, run_scenarios
from e2e.scenarios import SCENARIOS


@pytest.fixture(scope="session")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    data_dir: Path = tmp_path_factory.mktemp("e2e") / "data"
    with sync_playwright() as playwright:
        yield run_scenarios(playwright, data_dir, SCENARIOS)
