"""The report registry: a report declared once is an API route and a CLI sub-command."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from rum_server.app import create_app
from rum_server.cli.main import build_parser, main
from rum_server.query import registry
from rum_server.query.registry import Builder, Param, ReportSpec, Values
from rum_server.query.reports import Query, ReportError, run
from rum_server.storage.store import Store
from tests.conftest import make_settings
from tests.integration.test_api import client_from

API = "/__deco/rum/api"
REPO = Path(__file__).resolve().parents[2]


def _repeat(values: Values) -> Builder:
    """Checks its parameters before the store, like every report; the answer comes from SQL."""
    if values["times"] < 1:
        raise ReportError("times must be 1 or more")
    word, times = str(values["word"]), int(values["times"])
    query = Query(
        f"SELECT arrayStringConcat(arrayWithConstant({times}, '{word}'), ' ') AS said, "
        f"{values['days']} AS days",
        ["said", "days"],
    )
    return lambda store: run(store, query)


REPEAT = ReportSpec(
    "repeat",
    "say a word several times",
    "A word, said ``times`` times.",
    _repeat,
    (Param("word", "hello", "what to say", choices=("hello", "bye")), Param("times", 2)),
)


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> ReportSpec:
    """``repeat`` added to the registry, and nowhere else."""
    monkeypatch.setitem(registry.REPORTS, REPEAT.name, REPEAT)
    return REPEAT


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    Store(make_settings(path)).close()
    return path


@pytest.fixture
def loopback(registered: ReportSpec, data_dir: Path) -> Iterator[TestClient[Any]]:
    app = create_app(make_settings(data_dir))
    with TestClient(app=app):
        yield client_from(app, "127.0.0.1")


def test_a_registered_report_is_an_api_route_with_typed_parameters(
    loopback: TestClient[Any],
) -> None:
    answer = loopback.get(f"{API}/repeat", params={"word": "bye", "times": "3"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["columns"] == ["said", "days"]
    assert answer.json()["rows"] == [{"said": "bye bye bye", "days": 7}]
    assert loopback.get(f"{API}/repeat").json()["rows"] == [{"said": "hello hello", "days": 7}]
    assert loopback.get(f"{API}/repeat", params={"times": "x"}).status_code == 400
    refused = loopback.get(f"{API}/repeat", params={"times": "0"})
    assert refused.status_code == 400 and refused.json()["detail"] == "times must be 1 or more"
    reports = {report["name"] for report in loopback.get(f"{API}/contract").json()["reports"]}
    assert "repeat" in reports


def test_a_registered_report_is_a_cli_sub_command_with_its_options(
    registered: ReportSpec, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ["--dsn", f"chdb://{data_dir}"]
    assert (
        main(["query", "repeat", "--word", "bye", "--times", "3", "--format", "json", *store]) == 0
    )
    assert json.loads(capsys.readouterr().out)["rows"] == [{"said": "bye bye bye", "days": 7}]
    assert main(["query", "repeat", "--times", "0", *store]) == 2
    assert capsys.readouterr().err.strip().endswith("times must be 1 or more")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["query", "repeat", "--word", "ciao"])
    assert "--word {hello,bye}" in capsys.readouterr().err


def test_the_docs_list_every_report_with_its_parameters() -> None:
    """docs/queries.md's API table has a row per registered report naming its parameters."""
    text = (REPO / "docs" / "queries.md").read_text()
    rows = {
        match[1]: match[2]
        for match in re.finditer(r"^\| `/([a-z-]+)` \| ((?:[^|\\]|\\.)*) \|", text, re.M)
    }
    assert set(rows) == set(registry.REPORTS)
    for spec in registry.REPORTS.values():
        for param in spec.all_params:
            for name in (param.name, *param.aliases):
                assert f"`{name}`" in rows[spec.name], f"{spec.name}: {name} not documented"
