"""Server configuration: each option declared once, read from the environment and the CLI.

Every field of :class:`Settings` is declared with :func:`option`: its environment
variable, default, help, check and the commands whose command line takes it live in
that one declaration, like a Collector component's ``config.go``. Everything else is
generated from it: :meth:`Settings.from_env`, the command-line options
(:func:`add_options`, :func:`given_options`), :meth:`Settings.validate` and the
settings table of ``docs/operations.md`` (``python -m rum_server.settings --write``;
a test fails when it is stale). A new setting is one declaration.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import sys
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from rum_server.contract import COUNTRY
from rum_server.transform.label_budget import DEFAULT_LABEL_BUDGET
from rum_server.transform.redact import DEFAULT_QUERY_ALLOWLIST

SUPPORTED_DSN_SCHEMES = ("chdb", "clickhouse", "clickhouses", "http", "https")
SINK_NAMES = ("clickhouse", "otlp", "spans")

COMMANDS = ("serve", "store", "sourcemaps")
"""Who takes a flag: ``serve``; ``store``, every command that opens the store (serve,
schema, query, sql, demo-data, sourcemaps); ``sourcemaps``, the ``sourcemaps`` commands."""

T = TypeVar("T")
Check = Callable[[Any], "str | list[str] | None"]


@dataclass(frozen=True, slots=True)
class Option:
    """What one declaration says about its field (kept in the field's metadata)."""

    env: str
    help: str
    """Markdown, as the docs table shows it; ``--help`` shows it plain."""
    flag: str = ""
    """The command-line flag (``--port``), or '' for an environment-only option."""
    commands: tuple[str, ...] = ()
    """Which of :data:`COMMANDS` take the flag."""
    default_text: str = ""
    """How the docs and ``--help`` show the default, when the value itself says too little."""
    check: Check | None = None
    """A one-line problem with the value (or one per bad item of a list), None when fine."""


def option(
    default: T | None = None,
    *,
    env: str,
    help: str,
    flag: str = "",
    commands: tuple[str, ...] = (),
    default_text: str = "",
    check: Check | None = None,
    factory: Callable[[], T] | None = None,
) -> T:
    """Declare a setting: a dataclass field carrying its :class:`Option`."""
    if bool(flag) != bool(commands) or not set(commands) <= set(COMMANDS):
        raise ValueError(f"{env}: a flag needs the commands that take it, from {COMMANDS}")
    metadata = {"option": Option(env, help, flag, commands, default_text, check)}
    if factory is not None:
        field: Any = dataclasses.field(default_factory=factory, metadata=metadata)
    else:
        field = dataclasses.field(default=default, metadata=metadata)
    return field  # type: ignore[no-any-return]


def default_data_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME/deco-rum/store`` (``~/.local/share/deco-rum/store``): one place,
    whichever directory a command starts from."""
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME", "")
    if not base.startswith("/"):  # the XDG spec: a relative value is ignored
        base = str(Path.home() / ".local" / "share")
    return Path(base) / "deco-rum" / "store"


def default_dsn() -> str:
    """The embedded store in the default data directory (an absolute path: chdb needs one)."""
    return "chdb://" + str(default_data_dir())


def resolve_dsn(dsn: str) -> str:
    """A relative embedded path (``chdb://rum-data``, ``./rum-data``) made absolute from
    the current directory; any other DSN as given."""
    if "://" not in dsn:
        dsn = "chdb://" + dsn
    if dsn.startswith("chdb://") and not dsn.startswith("chdb:///"):
        return "chdb://" + str(Path(dsn.removeprefix("chdb://")).resolve())
    return dsn


# Checks of one value, for the declarations below (checks of several are COMBINED_CHECKS).


def at_least(minimum: float, what: str) -> Check:
    return lambda value: None if value >= minimum else f"{what} must be at least {minimum:g}"


def positive(what: str) -> Check:
    return lambda value: None if value > 0 else f"{what} must be positive"


def _port(value: int) -> str | None:
    return None if 0 < value < 65536 else f"port {value} is not between 1 and 65535"


def _dsn(value: str) -> str | None:
    scheme = urlsplit(value).scheme
    if scheme not in SUPPORTED_DSN_SCHEMES:
        return (
            f"DSN {value!r} is not understood: use chdb:///absolute/path or "
            "clickhouse://user:pass@host:8123/db"
        )
    if scheme == "chdb" and not value.removeprefix("chdb://").startswith("/"):
        return f"DSN {value!r}: chdb needs an absolute path (chdb:///abs/path)"
    return None


def _identifier(what: str) -> Check:
    def check(value: str) -> str | None:
        if value.replace("_", "").isalnum():
            return None
        return f"{what} {value!r} must be letters, digits and underscores"

    return check


def _sinks(value: tuple[str, ...]) -> str | None:
    unknown = [name for name in value if name not in SINK_NAMES]
    if unknown or not value:
        return f"sink must be clickhouse, otlp, spans or a list (clickhouse,spans), not {unknown}"
    return None


def _fetch_origins(value: tuple[str, ...]) -> list[str]:
    problems = []
    for origin in value:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
            problems.append(f"source map fetch origin {origin!r} is not like https://shop.example")
    return problems


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the server and the CLI need; passed into ``create_app``.

    The fields are in the order of the docs table.
    """

    host: str = option(
        "127.0.0.1",
        env="RUM_HOST",
        flag="--host",
        commands=("serve",),
        help="address to listen on (`0.0.0.0` behind a proxy or in a container)",
    )
    port: int = option(
        8000, env="RUM_PORT", flag="--port", commands=("serve",), help="port", check=_port
    )
    dsn: str = option(
        factory=default_dsn,
        env="RUM_CLICKHOUSE_DSN",
        flag="--dsn",
        commands=("store",),
        default_text="`chdb://` + `$XDG_DATA_HOME/deco-rum/store` "
        "(`~/.local/share/deco-rum/store`)",
        help="`chdb:///abs/path` or a relative path (embedded, resolved from the current "
        "directory), or `clickhouse://user:pass@host:8123/db`, `https://…`",
        check=_dsn,
    )
    database: str = option(
        "otel",
        env="RUM_CLICKHOUSE_DATABASE",
        flag="--database",
        commands=("store",),
        help="database",
        check=_identifier("database"),
    )
    table: str = option(
        "otel_logs",
        env="RUM_CLICKHOUSE_TABLE",
        flag="--table",
        commands=("store",),
        help="logs table",
        check=_identifier("table"),
    )
    sites: tuple[str, ...] = option(
        (),
        env="RUM_SITES",
        flag="--sites",
        commands=("serve",),
        default_text="empty: any",
        help="comma list of accepted site ids (others get `403`)",
    )
    allowed_origins: tuple[str, ...] = option(
        (),
        env="RUM_ALLOWED_ORIGINS",
        flag="--allowed-origins",
        commands=("serve",),
        default_text="empty: same origin only",
        help="comma list of page origins allowed to beacon here cross-origin; `*` for any",
    )
    query_allowlist: tuple[str, ...] = option(
        DEFAULT_QUERY_ALLOWLIST,
        env="RUM_QUERY_ALLOWLIST",
        flag="--query-allowlist",
        commands=("serve",),
        default_text="`utm_*` and friends (see privacy.md)",
        help="query keys whose values are kept in stored URLs (`prefix*` patterns allowed)",
    )
    demo: bool = option(
        False,
        env="RUM_DEMO",
        flag="--demo",
        commands=("serve",),
        help="serve the demo storefront at `/`",
    )
    workers: int = option(
        1,
        env="RUM_WORKERS",
        flag="--workers",
        commands=("serve",),
        help="worker processes on one port, each with its own writer; needs a ClickHouse "
        "server DSN (see [scaling.md](scaling.md))",
        check=at_least(1, "workers"),
    )
    sinks: tuple[str, ...] = option(
        ("clickhouse",),
        env="RUM_SINK",
        flag="--sink",
        commands=("serve",),
        help="where rows go: `clickhouse`, `otlp`, `spans` (browser spans in `otel_traces` for "
        "ClickStack, see [clickstack.md](clickstack.md)), or a list such as `clickhouse,spans`",
        check=_sinks,
    )
    otlp_endpoint: str = option(
        "",
        env="RUM_OTLP_ENDPOINT",
        flag="--otlp-endpoint",
        commands=("serve",),
        help="OTLP/HTTP endpoint of the `otlp` sink (`http://collector:4318`; `/v1/logs` is "
        "added; headers in `RUM_OTLP_HEADERS`)",
    )
    otlp_headers: str = option(
        "",
        env="RUM_OTLP_HEADERS",
        help="headers for the OTLP endpoint, `key=value,key2=value2` (values percent-encoded)",
    )
    label_budget: int = option(
        DEFAULT_LABEL_BUDGET,
        env="RUM_LABEL_BUDGET",
        help="distinct values a custom-event label key may take per site, event and UTC day; "
        "later new values are stored as `(other)` ([wire.md](wire.md#event--rumevent))",
        check=at_least(1, "label budget"),
    )
    country_header: str = option(
        "",
        env="RUM_COUNTRY_HEADER",
        default_text="empty: off",
        help=f"trusted proxy header holding the visitor's country (`cf-ipcountry`) → `{COUNTRY}`",
    )
    ttl_days: int = option(
        90, env="RUM_TTL_DAYS", help="raw row retention (table TTL)", check=at_least(1, "ttl days")
    )
    api_token: str = option(
        "",
        env="RUM_API_TOKEN",
        help="bearer token for the query API and dashboard data; when empty, only loopback "
        "clients may query",
    )
    queue_max_rows: int = option(
        200_000,
        env="RUM_QUEUE_MAX_ROWS",
        help="backlog bound in rows (beside the byte bound); past it new batches get `503` + "
        "`Retry-After`",
        check=positive("queue max rows"),
    )
    flush_rows: int = option(
        10_000,
        env="RUM_FLUSH_ROWS",
        help="a log segment (one insert) is sealed at this many rows; also bounds the memory "
        "of one insert",
        check=positive("flush rows"),
    )
    flush_seconds: float = option(
        1.0, env="RUM_FLUSH_SECONDS", help="…or after this long", check=positive("flush seconds")
    )
    rate_limit: float = option(
        0.0,
        env="RUM_RATE_LIMIT",
        default_text="`0`: off",
        help="batches per second per client (bursts up to twice that); over it: `429` + "
        "`Retry-After`",
        check=lambda value: (
            None
            if value >= 0
            else "rate limit must be 0 (off) or a positive number of batches per second"
        ),
    )
    client_ip_header: str = option(
        "",
        env="RUM_CLIENT_IP_HEADER",
        default_text="empty: the peer address",
        help="trusted proxy header with the visitor's address (`cf-connecting-ip`, "
        "`x-forwarded-for`) for the rate limit",
    )
    spool_dir: str = option(
        "",
        env="RUM_SPOOL_DIR",
        default_text="`<data dir>.spool` or `./rum-spool`",
        help="the write-ahead log: accepted rows wait here until the store has them",
    )
    queue_max_bytes: int = option(
        256 * 1024 * 1024,
        env="RUM_QUEUE_MAX_BYTES",
        help="backlog bound in bytes (log on disk); past it new batches get `503`",
        check=positive("queue max bytes"),
    )
    segment_max_bytes: int = option(
        8 * 1024 * 1024,
        env="RUM_SEGMENT_MAX_BYTES",
        help="a log segment is sealed and inserted at this size (or every `RUM_FLUSH_SECONDS`)",
        check=positive("segment max bytes"),
    )
    fsync_seconds: float = option(
        1.0,
        env="RUM_FSYNC_SECONDS",
        help="`fsync` interval of the log: what a power loss can take; `0` = on every batch",
        check=at_least(0, "fsync seconds"),
    )
    dead_letter_attempts: int = option(
        3,
        env="RUM_DEAD_LETTER_ATTEMPTS",
        help="times a store that answers may refuse the same log segment before it is moved "
        "to `<spool>/dead-letter/`",
        check=at_least(1, "dead letter attempts"),
    )
    header_timeout_seconds: float = option(
        10.0,
        env="RUM_HEADER_TIMEOUT_SECONDS",
        help="request line and headers must arrive within this (from connect or the previous "
        "answer), else the connection is closed",
        check=positive("header timeout seconds"),
    )
    body_timeout_seconds: float = option(
        10.0,
        env="RUM_BODY_TIMEOUT_SECONDS",
        help="a beacon body must arrive within this, else `408`",
        check=positive("body timeout seconds"),
    )
    keep_alive_seconds: float = option(
        5.0,
        env="RUM_KEEP_ALIVE_SECONDS",
        help="idle keep-alive connections are closed after this",
        check=positive("keep alive seconds"),
    )
    max_header_bytes: int = option(
        16 * 1024,
        env="RUM_MAX_HEADER_BYTES",
        help="largest request line + headers (`rum-server serve`); larger gets `400`",
        check=positive("max header bytes"),
    )
    max_body_bytes: int = option(
        64 * 1024,
        env="RUM_MAX_BODY_BYTES",
        help="largest beacon body as sent; larger gets `413`",
        check=positive("max body bytes"),
    )
    max_decoded_bytes: int = option(
        256 * 1024,
        env="RUM_MAX_DECODED_BYTES",
        help="largest gzipped beacon body once decompressed; larger gets `413`",
        check=positive("max decoded bytes"),
    )
    max_connections: int = option(
        2_000,
        env="RUM_MAX_CONNECTIONS",
        help="open connections; lowered automatically to fit the open-files limit",
        check=positive("max connections"),
    )
    max_connections_per_peer: int = option(
        100,
        env="RUM_MAX_CONNECTIONS_PER_PEER",
        help="open connections per client address (not applied when `RUM_CLIENT_IP_HEADER` is "
        "set: behind a proxy every peer is the proxy)",
    )
    proxy_hops: int = option(
        1,
        env="RUM_TRUSTED_PROXY_HOPS",
        help="with `RUM_CLIENT_IP_HEADER=x-forwarded-for`: which address from the right is the "
        "visitor's (1 = the one your proxy appended)",
        check=at_least(1, "proxy hops"),
    )
    sample_rate_floor: float = option(
        0.01,
        env="RUM_SAMPLE_RATE_FLOOR",
        help="a beacon's `rate` below this is raised to it (counted in `rum_clamped_total`)",
        check=lambda value: (
            None if 0 < value <= 1 else "sample rate floor must be above 0 and at most 1"
        ),
    )
    max_routes_per_site: int = option(
        2_000,
        env="RUM_MAX_ROUTES_PER_SITE",
        help="distinct routes per site per day; later new ones are stored as `(other)`",
    )
    max_label_keys_per_site: int = option(
        1_000,
        env="RUM_MAX_LABEL_KEYS_PER_SITE",
        help="custom-event label keys each site may use (its own budget)",
    )
    allowed_hosts: tuple[str, ...] = option(
        (),
        env="RUM_ALLOWED_HOSTS",
        default_text="empty: loopback names",
        help="`Host` values the API and dashboard answer when `RUM_API_TOKEN` is empty "
        "(against DNS rebinding)",
    )
    settle_seconds: float = option(
        300.0,
        env="RUM_SETTLE_SECONDS",
        help="how often new vitals are folded into the daily rollup; reports stay exact "
        "between settles, settling keeps them fast",
        check=positive("settle seconds"),
    )
    otlp_timeout_seconds: float = option(
        10.0,
        env="RUM_OTLP_TIMEOUT_SECONDS",
        help="how long the `otlp` sink waits for its endpoint before retrying",
        check=positive("otlp timeout seconds"),
    )
    sourcemap_dir: str = option(
        "",
        env="RUM_SOURCEMAP_DIR",
        flag="--sourcemap-dir",
        commands=("sourcemaps",),
        default_text="`<data dir>.sourcemaps` or `./rum-sourcemaps`",
        help="where uploaded source maps are kept ([errors.md](errors.md))",
    )
    sourcemap_max_bytes: int = option(
        32 * 1024 * 1024,
        env="RUM_SOURCEMAP_MAX_BYTES",
        help="largest source map (or minified file) accepted and read",
        check=lambda value: (
            None if value >= 1 else "source map size cap must be a positive number of bytes"
        ),
    )
    sourcemap_fetch_origins: tuple[str, ...] = option(
        (),
        env="RUM_SOURCEMAP_FETCH_ORIGINS",
        default_text="empty: off",
        help="comma list of script origins (`https://shop.example`) whose maps the server may "
        "fetch from `sourceMappingURL` ([errors.md](errors.md)); the only outbound requests "
        "it ever makes",
        check=_fetch_origins,
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read ``RUM_*`` variables; explicit overrides (CLI options) win over the environment."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for declared in declarations(cls):
            raw = env.get(declared.option.env)
            if raw is not None and raw != "":
                values[declared.name] = declared.parse(raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if isinstance(values.get("dsn"), str):
            values["dsn"] = resolve_dsn(str(values["dsn"]))
        return cls(**values)  # type: ignore[arg-type]

    def validate(self) -> list[str]:
        """All configuration errors, each one line; empty when the settings are usable."""
        errors: list[str] = []
        for declared in declarations(type(self)):
            check = declared.option.check
            problem = check(getattr(self, declared.name)) if check else None
            if problem:
                errors += [problem] if isinstance(problem, str) else problem
        errors += [problem for check in COMBINED_CHECKS if (problem := check(self))]
        return errors

    @property
    def embedded(self) -> bool:
        """True when the store is chdb in this process (one process per data directory)."""
        return urlsplit(self.dsn).scheme == "chdb"

    @property
    def data_path(self) -> str:
        """The data directory of an embedded store ('' for a server DSN)."""
        return self.dsn.removeprefix("chdb://") if self.embedded else ""

    @property
    def spool_path(self) -> Path:
        """Where unwritable rows wait for the next start: beside an embedded store's data."""
        if self.spool_dir:
            return Path(self.spool_dir).resolve()
        if self.embedded:
            return Path(self.data_path.rstrip("/") + ".spool")
        return Path("rum-spool").resolve()

    @property
    def sourcemap_path(self) -> Path:
        """Where uploaded source maps live: beside an embedded store's data by default."""
        if self.sourcemap_dir:
            return Path(self.sourcemap_dir).resolve()
        if self.embedded:
            return Path(self.data_path.rstrip("/") + ".sourcemaps")
        return Path("rum-sourcemaps").resolve()

    @property
    def qualified_table(self) -> str:
        return f"{self.database}.{self.table}"


def _workers_need_a_server(settings: Settings) -> str | None:
    if settings.workers > 1 and settings.embedded:
        return (
            f"--workers {settings.workers} needs a ClickHouse server: the embedded store is a "
            "directory only one process can open; run one worker, or set --dsn "
            "clickhouse://… (see docs/scaling.md)"
        )
    return None


def _otlp_needs_an_endpoint(settings: Settings) -> str | None:
    scheme = urlsplit(settings.otlp_endpoint).scheme
    if "otlp" in settings.sinks and scheme not in ("http", "https"):
        return "the otlp sink needs --otlp-endpoint http(s)://host:4318 (RUM_OTLP_ENDPOINT)"
    return None


COMBINED_CHECKS: tuple[Callable[[Settings], str | None], ...] = (
    _workers_need_a_server,
    _otlp_needs_an_endpoint,
)
"""Checks that read more than one setting (each setting's own check is in its declaration)."""


class SettingsError(ValueError):
    """A setting whose text cannot be parsed; the message names the variable."""


def split_list(raw: str) -> tuple[str, ...]:
    """``"a, b,,c"`` → ``("a", "b", "c")``."""
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _truthy(raw: str) -> bool:
    return raw.strip().lower() in ("1", "true", "yes", "on")


_PARSERS: dict[type, Callable[[str], object]] = {
    int: int,
    float: float,
    str: str,
    bool: _truthy,
    tuple: split_list,
}
"""How a field's text (variable or flag) becomes its value, by the field's type."""


@dataclass(frozen=True, slots=True)
class Declared:
    """One field with its type and :class:`Option`: what the generators read."""

    name: str
    kind: type
    option: Option
    field: dataclasses.Field[Any]

    def parse(self, raw: str) -> object:
        """The value of ``raw``; a number that is not one names its variable."""
        try:
            return _PARSERS[self.kind](raw)
        except ValueError:
            raise SettingsError(f"{self.option.env}={raw!r} is not a number") from None

    @property
    def default(self) -> object:
        if self.field.default_factory is not dataclasses.MISSING:
            return self.field.default_factory()
        return self.field.default

    @property
    def default_text(self) -> str:
        """The default as the docs show it: sizes in bytes also in KiB or MiB."""
        if self.option.default_text:
            return self.option.default_text
        value = self.default
        if isinstance(value, bool):
            return "on" if value else "off"
        if value in ("", ()):
            return "empty"
        if isinstance(value, tuple):
            return ", ".join(f"`{item}`" for item in value)
        if isinstance(value, float):
            return f"`{value:g}`"
        if self.name.endswith("_bytes") and isinstance(value, int):
            for unit, size in (("MiB", 1024 * 1024), ("KiB", 1024)):
                if value >= size and value % size == 0:
                    return f"`{value}` ({value // size} {unit})"
        return f"`{value}`"


_DECLARED: dict[type[Settings], tuple[Declared, ...]] = {}


def declarations(cls: type[Settings]) -> tuple[Declared, ...]:
    """Every declared field of ``cls`` (:class:`Settings` or a subclass), in order."""
    if cls not in _DECLARED:
        _DECLARED[cls] = _declare(cls)
    return _DECLARED[cls]


def _declare(cls: type[Settings]) -> tuple[Declared, ...]:
    hints = typing.get_type_hints(cls)
    found = []
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        kind = typing.get_origin(hint) or hint
        if kind not in _PARSERS:
            raise TypeError(f"setting {field.name}: type {hint} has no parser")
        found.append(Declared(field.name, kind, field.metadata["option"], field))
    return tuple(found)


ENV_NAMES: dict[str, str] = {d.name: d.option.env for d in declarations(Settings)}


def _plain(markdown: str) -> str:
    """Help text for a terminal: no backticks, links as their text, ``%`` escaped."""
    text = re.sub(r"\[([^]]+)\]\([^)]+\)", r"\1", markdown).replace("`", "")
    return text.replace("%", "%%")


def add_options(
    parser: argparse.ArgumentParser, command: str, settings_class: type[Settings] = Settings
) -> None:
    """Add the flags that ``command`` (one of :data:`COMMANDS`) takes; each names its variable.

    Every flag defaults to None ("not given"), so the environment and then the declared
    default apply; :func:`given_options` reads them back.
    """
    for declared in declarations(settings_class):
        if command not in declared.option.commands:
            continue
        text = _plain(f"{declared.option.help} ({declared.option.env}; default ")
        text += _plain(declared.default_text) + ")"
        flag, name = declared.option.flag, declared.name
        if declared.kind is bool:
            parser.add_argument(flag, dest=name, action="store_true", default=None, help=text)
        else:
            metavar = flag.removeprefix("--").replace("-", "_").upper()
            parser.add_argument(
                flag, dest=name, type=_PARSERS[declared.kind], metavar=metavar, help=text
            )


def given_options(
    args: argparse.Namespace, settings_class: type[Settings] = Settings
) -> dict[str, object]:
    """The declared flags given on the command line, already parsed, by field name."""
    values = {}
    for declared in declarations(settings_class):
        value = getattr(args, declared.name, None) if declared.option.flag else None
        if value is not None:
            values[declared.name] = value
    return values


def markdown_table(settings_class: type[Settings] = Settings) -> str:
    """The settings table of ``docs/operations.md``: flag, variable, default, meaning."""
    lines = ["| option | environment | default | meaning |", "| --- | --- | --- | --- |"]
    for declared in declarations(settings_class):
        flag = f"`{declared.option.flag}`" if declared.option.flag else ""
        if flag and not {"serve", "store"} & set(declared.option.commands):
            flag += " (" + ", ".join(f"`{c}`" for c in declared.option.commands) + " commands)"
        cells = [flag, f"`{declared.option.env}`", declared.default_text, declared.option.help]
        lines.append(("| " + " | ".join(cells) + " |").replace("|  |", "| |"))
    return "\n".join(lines) + "\n"


TABLE_START = "| option | environment | default | meaning |\n"


def docs_with_table(text: str, table: str) -> str:
    """``text`` (docs/operations.md) with its settings table replaced by ``table``."""
    start = text.index(TABLE_START)
    end = text.index("\n\n", start) + 1
    return text[:start] + table + text[end:]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rum_server.settings",
        description="the settings table of docs/operations.md, generated from the declarations",
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--markdown", action="store_true", help="print the table")
    what.add_argument(
        "--write",
        nargs="?",
        const="docs/operations.md",
        metavar="FILE",
        help="rewrite the table in FILE (default docs/operations.md, from the repository root)",
    )
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown_table(), end="")
        return 0
    doc = Path(args.write)
    try:
        doc.write_text(docs_with_table(doc.read_text(), markdown_table()))
    except (OSError, ValueError) as exc:  # no such file, or no settings table in it
        print(f"cannot rewrite the settings table of {doc}: {exc}", file=sys.stderr)
        return 1
    print(f"settings table written to {doc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
