"""Settings come from RUM_* variables and options in one place, validated at once."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import pytest

from rum_server.cli.main import build_parser
from rum_server.settings import (
    ENV_NAMES,
    Declared,
    Settings,
    SettingsError,
    add_options,
    declarations,
    default_data_dir,
    default_dsn,
    docs_with_table,
    given_options,
    markdown_table,
    option,
    positive,
)
from rum_server.settings import (
    main as settings_main,
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


# Each option is declared once; everything else is generated from the declaration.

REPO = Path(__file__).resolve().parents[2]
OPERATIONS = REPO / "docs" / "operations.md"

FORMER_VARIABLES = {
    "host": "RUM_HOST",
    "port": "RUM_PORT",
    "dsn": "RUM_CLICKHOUSE_DSN",
    "database": "RUM_CLICKHOUSE_DATABASE",
    "table": "RUM_CLICKHOUSE_TABLE",
    "sites": "RUM_SITES",
    "allowed_origins": "RUM_ALLOWED_ORIGINS",
    "demo": "RUM_DEMO",
    "ttl_days": "RUM_TTL_DAYS",
    "query_allowlist": "RUM_QUERY_ALLOWLIST",
    "country_header": "RUM_COUNTRY_HEADER",
    "api_token": "RUM_API_TOKEN",
    "queue_max_rows": "RUM_QUEUE_MAX_ROWS",
    "flush_rows": "RUM_FLUSH_ROWS",
    "flush_seconds": "RUM_FLUSH_SECONDS",
    "spool_dir": "RUM_SPOOL_DIR",
    "rate_limit": "RUM_RATE_LIMIT",
    "client_ip_header": "RUM_CLIENT_IP_HEADER",
    "queue_max_bytes": "RUM_QUEUE_MAX_BYTES",
    "segment_max_bytes": "RUM_SEGMENT_MAX_BYTES",
    "fsync_seconds": "RUM_FSYNC_SECONDS",
    "proxy_hops": "RUM_TRUSTED_PROXY_HOPS",
    "sample_rate_floor": "RUM_SAMPLE_RATE_FLOOR",
    "max_routes_per_site": "RUM_MAX_ROUTES_PER_SITE",
    "max_label_keys_per_site": "RUM_MAX_LABEL_KEYS_PER_SITE",
    "allowed_hosts": "RUM_ALLOWED_HOSTS",
    "max_connections": "RUM_MAX_CONNECTIONS",
    "max_connections_per_peer": "RUM_MAX_CONNECTIONS_PER_PEER",
    "header_timeout_seconds": "RUM_HEADER_TIMEOUT_SECONDS",
    "body_timeout_seconds": "RUM_BODY_TIMEOUT_SECONDS",
    "keep_alive_seconds": "RUM_KEEP_ALIVE_SECONDS",
    "sourcemap_dir": "RUM_SOURCEMAP_DIR",
    "sourcemap_max_bytes": "RUM_SOURCEMAP_MAX_BYTES",
    "sourcemap_fetch_origins": "RUM_SOURCEMAP_FETCH_ORIGINS",
    "workers": "RUM_WORKERS",
    "sinks": "RUM_SINK",
    "otlp_endpoint": "RUM_OTLP_ENDPOINT",
    "otlp_headers": "RUM_OTLP_HEADERS",
    "label_budget": "RUM_LABEL_BUDGET",
}
"""Every variable the server read before the settings were declared once: none may go."""

FORMER_FLAGS = {
    "serve": {
        "--dsn": "dsn",
        "--database": "database",
        "--table": "table",
        "--host": "host",
        "--port": "port",
        "--sites": "sites",
        "--allowed-origins": "allowed_origins",
        "--query-allowlist": "query_allowlist",
        "--demo": "demo",
        "--workers": "workers",
        "--sink": "sinks",
        "--otlp-endpoint": "otlp_endpoint",
    },
    "store": {"--dsn": "dsn", "--database": "database", "--table": "table"},
    "sourcemaps": {"--sourcemap-dir": "sourcemap_dir"},
}

COMMAND_LINES = {
    "serve": [["serve"]],
    "store": [
        ["serve"],
        ["schema"],
        ["query", "vitals"],
        ["sql", "SELECT 1"],
        ["demo-data"],
        ["sourcemaps", "list"],
    ],
    "sourcemaps": [["sourcemaps", "list"], ["sourcemaps", "delete", "--site=a", "--release=b"]],
}
"""A command line of each command, per group of :data:`rum_server.settings.COMMANDS`."""

SAMPLE_TEXT: dict[type, tuple[str, object]] = {
    int: ("7", 7),
    float: ("0.5", 0.5),
    str: ("x", "x"),
    tuple: ("a, b", ("a", "b")),
    bool: ("true", True),
}


def test_every_former_variable_and_flag_keeps_its_name() -> None:
    assert {name: ENV_NAMES[name] for name in FORMER_VARIABLES} == FORMER_VARIABLES
    assert len(set(ENV_NAMES.values())) == len(ENV_NAMES)
    for command, flags in FORMER_FLAGS.items():
        groups = {command, "store"} if command == "serve" else {command}
        taken = {
            d.option.flag: d.name for d in declarations(Settings) if groups & set(d.option.commands)
        }
        assert flags.items() <= taken.items(), command


def test_every_variable_is_read_as_its_declared_type() -> None:
    for declared in declarations(Settings):
        raw, value = SAMPLE_TEXT[declared.kind]
        if declared.name == "dsn":  # made absolute: test_a_relative_embedded_dsn_…
            continue
        read = Settings.from_env({declared.option.env: raw})
        assert getattr(read, declared.name) == value, declared.option.env


@pytest.mark.parametrize("declared", declarations(Settings), ids=lambda d: d.name)
def test_every_declared_flag_reaches_settings_from_each_command_that_takes_it(
    declared: Declared,
) -> None:
    raw, value = SAMPLE_TEXT[declared.kind]
    flag = [declared.option.flag] if declared.kind is bool else [declared.option.flag, raw]
    parser = build_parser()
    for command in declared.option.commands:
        for line in COMMAND_LINES[command]:
            args = parser.parse_args([*line, *flag])
            assert given_options(args)[declared.name] == value, (line, flag)
    if not declared.option.commands:
        assert declared.option.flag == ""  # environment only


def test_the_docs_table_is_generated_from_the_declarations() -> None:
    text = OPERATIONS.read_text()
    assert docs_with_table(text, markdown_table()) == text, (
        "docs/operations.md's settings table is stale: run python -m rum_server.settings --write"
    )
    assert "python -m rum_server.settings --write" in text


@dataclass(frozen=True, slots=True)
class WithProbe(Settings):
    """A setting added the way a newcomer adds one: one declaration, nothing else."""

    probe_seconds: float = option(
        2.5,
        env="RUM_PROBE_SECONDS",
        flag="--probe-seconds",
        commands=("serve",),
        help="how often the `probe` runs",
        check=positive("probe seconds"),
    )
    probe_note: str = option("", env="RUM_PROBE_NOTE", help="a note for the probe")


def test_a_setting_declared_once_is_in_settings_env_cli_validation_and_docs() -> None:
    assert WithProbe().probe_seconds == 2.5 and WithProbe().probe_note == ""
    from_env = WithProbe.from_env({"RUM_PROBE_SECONDS": "4", "RUM_PROBE_NOTE": "hi"})
    assert (from_env.probe_seconds, from_env.probe_note) == (4.0, "hi")
    with pytest.raises(SettingsError, match="RUM_PROBE_SECONDS='soon'"):
        WithProbe.from_env({"RUM_PROBE_SECONDS": "soon"})

    parser = argparse.ArgumentParser()
    add_options(parser, "serve", WithProbe)
    assert "how often the probe runs (RUM_PROBE_SECONDS; default 2.5)" in " ".join(
        parser.format_help().split()
    )
    args = parser.parse_args(["--probe-seconds", "7"])
    given = given_options(args, WithProbe)
    assert WithProbe.from_env({"RUM_PROBE_SECONDS": "4"}, **given).probe_seconds == 7.0
    assert "--probe-seconds" not in store_parser_help()  # only the commands it names

    assert WithProbe(probe_seconds=0).validate() == ["probe seconds must be positive"]

    table = markdown_table(WithProbe)
    assert (
        "| `--probe-seconds` | `RUM_PROBE_SECONDS` | `2.5` | how often the `probe` runs |" in table
    )
    assert "| | `RUM_PROBE_NOTE` | empty | a note for the probe |" in table
    text = OPERATIONS.read_text()
    assert docs_with_table(text, table) != text  # so the docs test would ask for --write


def store_parser_help() -> str:
    parser = argparse.ArgumentParser()
    add_options(parser, "store", WithProbe)
    return parser.format_help()


def test_a_flag_needs_the_commands_that_take_it() -> None:
    with pytest.raises(ValueError, match="RUM_X"):
        option(1, env="RUM_X", flag="--x", help="x")
    with pytest.raises(ValueError, match="RUM_X"):
        option(1, env="RUM_X", flag="--x", commands=("deploy",), help="x")


def test_sizes_in_the_docs_table_also_read_in_kib_or_mib() -> None:
    rows = {line.split("|")[2].strip(): line for line in markdown_table().splitlines()[2:]}
    assert "`65536` (64 KiB)" in rows["`RUM_MAX_BODY_BYTES`"]
    assert "`268435456` (256 MiB)" in rows["`RUM_QUEUE_MAX_BYTES`"]
    assert "`--sourcemap-dir` (`sourcemaps` commands)" in rows["`RUM_SOURCEMAP_DIR`"]


def test_the_generator_rewrites_a_stale_table_and_nothing_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    current = OPERATIONS.read_text()
    stale = tmp_path / "operations.md"
    stale.write_text(current.replace("| `RUM_TTL_DAYS` | `90` |", "| `RUM_TTL_DAYS` | `30` |"))
    assert settings_main(["--write", str(stale)]) == 0
    assert stale.read_text() == current
    assert settings_main(["--markdown"]) == 0
    assert capsys.readouterr().out == markdown_table()
    assert settings_main(["--write", str(tmp_path / "missing.md")]) == 1
