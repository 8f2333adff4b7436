"""Settings come from RUM_* variables and options in one place, validated at once."""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path

import pytest

from rum_server.settings import (
    ENV_NAMES,
    Settings,
    SettingsError,
    add_flags,
    declaration,
    default_data_dir,
    default_dsn,
    flag_values,
    markdown_table,
)


def test_defaults_match_the_interface_contract() -> None:
    settings = Settings.from_env({})
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.dsn == "chdb://" + str(default_data_dir()) == default_dsn()
    assert (settings.database, settings.table) == ("otel", "otel_logs")
    assert settings.sites == () and settings.allowed_origins == ()
    assert settings.demo is False and settings.embedded
    assert settings.validate() == []


def test_environment_variables_are_read_and_options_win() -> None:
    env = {
        "RUM_PORT": "9000",
        "RUM_SITES": "a, b,,c",
        "RUM_DEMO": "true",
        "RUM_CLICKHOUSE_DSN": "clickhouse://u:p@db:8123/otel",
        "RUM_FLUSH_SECONDS": "0.5",
        "RUM_QUERY_ALLOWLIST": "utm_*,page",
    }
    settings = Settings.from_env(env, port=9100, host=None)
    assert settings.port == 9100
    assert settings.host == "127.0.0.1"
    assert settings.sites == ("a", "b", "c")
    assert settings.demo is True
    assert not settings.embedded and settings.data_path == ""
    assert settings.flush_seconds == 0.5
    assert settings.query_allowlist == ("utm_*", "page")


def test_an_unparseable_number_names_its_variable() -> None:
    with pytest.raises(SettingsError, match="RUM_PORT='eighty'"):
        Settings.from_env({"RUM_PORT": "eighty"})


def test_validate_reports_every_problem_at_once() -> None:
    settings = Settings(port=70000, dsn="mysql://x", database="bad-name", ttl_days=0)
    problems = settings.validate()
    assert len(problems) == 4
    assert any("port 70000" in p for p in problems)
    assert any("not understood" in p for p in problems)
    assert any("database" in p for p in problems)
    assert any("ttl" in p for p in problems)


def test_an_embedded_dsn_needs_an_absolute_path() -> None:
    assert Settings(dsn="chdb://relative").validate() == [
        "DSN 'chdb://relative': chdb needs an absolute path (chdb:///abs/path)"
    ]
    assert Settings(dsn="chdb:///abs/path").data_path == "/abs/path"


def test_the_docs_settings_table_is_generated_from_the_declarations() -> None:
    text = (Path(__file__).parents[2] / "docs" / "operations.md").read_text()
    block = re.search(r"<!-- settings: [^\n]*-->\n(.*?)\n<!-- /settings -->", text, re.S)
    assert block, "docs/operations.md lost its generated settings table"
    assert block.group(1) == markdown_table(), "run: python -m rum_server.settings"


def test_every_setting_is_declared_once_with_its_variable_and_help() -> None:
    names = [field.name for field in dataclasses.fields(Settings)]
    envs = [declaration(name).env for name in names]
    assert all(env.startswith("RUM_") for env in envs) and len(set(envs)) == len(envs)
    assert all(declaration(name).help for name in names)
    assert set(ENV_NAMES) == set(names)


def test_flags_come_from_the_declarations_and_parse_like_their_variables() -> None:
    parser = argparse.ArgumentParser()
    add_flags(parser, ["port", "sites", "demo"])
    args = parser.parse_args(["--port", "9100", "--sites", "a, b", "--demo"])
    assert flag_values(args, ["port", "sites", "demo"]) == {
        "port": 9100,
        "sites": ("a", "b"),
        "demo": True,
    }
    assert flag_values(parser.parse_args([]), ["port", "sites", "demo"]) == {}
    assert "RUM_PORT" in parser.format_help()
    with pytest.raises(SettingsError, match="RUM_PORT='x'"):
        flag_values(parser.parse_args(["--port", "x"]), ["port"])


def test_the_moved_knobs_are_settings_with_their_old_defaults() -> None:
    settings = Settings.from_env({"RUM_MAX_BODY_BYTES": "1024", "RUM_SETTLE_SECONDS": "60"})
    assert (settings.max_body_bytes, settings.settle_seconds) == (1024, 60.0)
    defaults = Settings()
    assert (defaults.max_body_bytes, defaults.max_decoded_bytes) == (64 * 1024, 256 * 1024)
    assert (defaults.label_max_values, defaults.write_max_backoff_seconds) == (100, 5.0)
    assert Settings(max_body_bytes=0).validate() == ["max body bytes must be positive"]


def test_the_default_store_is_one_place_whatever_the_directory() -> None:
    home = Path.home() / ".local" / "share" / "deco-rum" / "store"
    assert default_data_dir({}) == home
    assert default_data_dir({"XDG_DATA_HOME": "/srv/data"}) == Path("/srv/data/deco-rum/store")
    assert default_data_dir({"XDG_DATA_HOME": "relative"}) == home  # ignored, as XDG says


@pytest.mark.parametrize("given", ["chdb://rum-data", "rum-data", "./rum-data"])
def test_a_relative_embedded_dsn_is_resolved_from_the_current_directory(
    given: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({}, dsn=given)
    assert settings.dsn == f"chdb://{tmp_path / 'rum-data'}"
    assert settings.validate() == []
