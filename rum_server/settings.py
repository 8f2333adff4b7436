"""Server configuration: each option declared once, read from options and the environment.

Every field of :class:`Settings` is declared with :func:`option`: its environment
variable, default, help text, command-line flag and check live in that one
declaration, like a Collector component's ``config.go``. The CLI's flags
(:func:`add_flags`), ``from_env`` and the settings table of ``docs/operations.md``
(:func:`markdown_table`, checked by a test) are all generated from it, so a new
setting is one declaration. ``validate()`` reports every problem at once so an
operator fixes a bad config in one go.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from rum_server.contract import COUNTRY
from rum_server.transform.redact import DEFAULT_QUERY_ALLOWLIST

SUPPORTED_DSN_SCHEMES = ("chdb", "clickhouse", "clickhouses", "http", "https")

T = TypeVar("T")
Check = Callable[[Any], "str | None"]


@dataclass(frozen=True, slots=True)
class Option:
    """What one declaration says about its field (kept in the field's metadata)."""

    env: str
    help: str
    flag: str = ""
    """The command-line flag (``--port``), or '' for an environment-only option."""
    default_text: str = ""
    """How the docs and ``--help`` show the default, when the value itself says too little."""
    check: Check | None = None
    """Returns a one-line problem with a value, or None when it is fine."""


def option(
    default: T | None = None,
    *,
    env: str,
    help: str,
    flag: str = "",
    default_text: str = "",
    check: Check | None = None,
    factory: Callable[[], T] | None = None,
) -> T:
    """Declare a setting: a dataclass field carrying its :class:`Option`."""
    metadata = {"option": Option(env, help, flag, default_text, check)}
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


def _at_least(minimum: float, what: str) -> Check:
    return lambda value: None if value >= minimum else f"{what} must be at least {minimum:g}"


def _positive(what: str) -> Check:
    return lambda value: None if value > 0 else f"{what} must be positive"


def _identifier(what: str) -> Check:
    def check(value: str) -> str | None:
        if value.replace("_", "").isalnum():
            return None
        return f"{what} {value!r} must be letters, digits and underscores"

    return check


def _sinks(value: tuple[str, ...]) -> str | None:
    unknown = [name for name in value if name not in ("clickhouse", "otlp", "spans")]
    if unknown or not value:
        return f"sink must be clickhouse, otlp, spans or a list (clickhouse,spans), not {unknown}"
    return None


def _fetch_origins(value: tuple[str, ...]) -> str | None:
    bad = [
        f"source map fetch origin {origin!r} is not like https://shop.example"
        for origin in value
        if urlsplit(origin).scheme not in ("http", "https")
        or not urlsplit(origin).netloc
        or urlsplit(origin).path.strip("/")
    ]
    return "; ".join(bad) or None


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


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the server and the CLI need; passed into ``create_app``."""

    host: str = option(
        "127.0.0.1",
        env="RUM_HOST",
        flag="--host",
        help="address to listen on (`0.0.0.0` behind a proxy or in a container)",
    )
    port: int = option(8000, env="RUM_PORT", flag="--port", help="port", check=_port)
    dsn: str = option(
        env="RUM_CLICKHOUSE_DSN",
        flag="--dsn",
        factory=default_dsn,
        default_text="`chdb://` + `$XDG_DATA_HOME/deco-rum/store` (below)",
        help="`chdb:///abs/path` or a relative path (embedded), or "
        "`clickhouse://user:pass@host:8123/db`, `https://…`",
        check=_dsn,
    )
    database: str = option(
        "otel",
        env="RUM_CLICKHOUSE_DATABASE",
        flag="--database",
        help="database",
        check=_identifier("database"),
    )
    table: str = option(
        "otel_logs",
        env="RUM_CLICKHOUSE_TABLE",
        flag="--table",
        help="logs table",
        check=_identifier("table"),
    )
    sites: tuple[str, ...] = option(
        (),
        env="RUM_SITES",
        flag="--sites",
        default_text="empty: any",
        help="comma list of accepted site ids (others get `403`)",
    )
    allowed_origins: tuple[str, ...] = option(
        (),
        env="RUM_ALLOWED_ORIGINS",
        flag="--allowed-origins",
        default_text="empty: same origin only",
        help="comma list of page origins allowed to beacon here cross-origin; `*` for any",
    )
    query_allowlist: tuple[str, ...] = option(
        DEFAULT_QUERY_ALLOWLIST,
        env="RUM_QUERY_ALLOWLIST",
        flag="--query-allowlist",
        default_text="`utm_*` and friends (see privacy.md)",
        help="query keys whose values are kept in stored URLs",
    )
    demo: bool = option(
        False, env="RUM_DEMO", flag="--demo", help="serve the demo storefront at `/`"
    )
    workers: int = option(
        1,
        env="RUM_WORKERS",
        flag="--workers",
        help="worker processes on one port, each with its own writer; needs a ClickHouse "
        "server DSN (see [scaling.md](scaling.md))",
        check=_at_least(1, "workers"),
    )
    sinks: tuple[str, ...] = option(
        ("clickhouse",),
        env="RUM_SINK",
        flag="--sink",
        default_text="`clickhouse`",
        help="where rows go: `clickhouse`, `otlp`, `spans` (browser spans in `otel_traces` for "
        "ClickStack, see [clickstack.md](clickstack.md)), or a list such as `clickhouse,spans`",
        check=_sinks,
    )
    otlp_endpoint: str = option(
        "",
        env="RUM_OTLP_ENDPOINT",
        flag="--otlp-endpoint",
        default_text="empty",
        help="OTLP/HTTP endpoint of the `otlp` sink (`http://collector:4318`; `/v1/logs` is added)",
    )
    otlp_headers: str = option(
        "",
        env="RUM_OTLP_HEADERS",
        default_text="empty",
        help="headers for the OTLP endpoint, `key=value,key2=value2` (values percent-encoded)",
    )
    country_header: str = option(
        "",
        env="RUM_COUNTRY_HEADER",
        default_text="empty: off",
        help=f"trusted proxy header holding the visitor's country (`cf-ipcountry`) → `{COUNTRY}`",
    )
    ttl_days: int = option(
        90, env="RUM_TTL_DAYS", help="raw row retention (table TTL)", check=_at_least(1, "ttl days")
    )
    api_token: str = option(
        "",
        env="RUM_API_TOKEN",
        default_text="empty",
        help="bearer token for the query API and dashboard data; when empty, only loopback "
        "clients may query",
    )
    queue_max_rows: int = option(
        200_000,
        env="RUM_QUEUE_MAX_ROWS",
        help="write-queue bound; past it new batches get `503` + `Retry-After`",
        check=_positive("queue size"),
    )
    flush_rows: int = option(
        10_000,
        env="RUM_FLUSH_ROWS",
        help="flush when this many rows wait",
        check=_positive("flush rows"),
    )
    flush_seconds: float = option(
        1.0, env="RUM_FLUSH_SECONDS", help="…or after this long", check=_positive("flush seconds")
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
        help="where rows the store refused through a shutdown wait for the next start",
    )
    max_body_bytes: int = option(
        64 * 1024,
        env="RUM_MAX_BODY_BYTES",
        help="largest beacon body accepted as sent; larger gets `413`",
        check=_positive("max body bytes"),
    )
    max_decoded_bytes: int = option(
        256 * 1024,
        env="RUM_MAX_DECODED_BYTES",
        help="largest beacon body after gzip; larger gets `413`",
        check=_positive("max decoded bytes"),
    )
    label_max_values: int = option(
        100,
        env="RUM_LABEL_MAX_VALUES",
        help="distinct values kept per site, custom event and label key; later ones are stored "
        "as `(other)`",
        check=_positive("label max values"),
    )
    settle_seconds: float = option(
        300.0,
        env="RUM_SETTLE_SECONDS",
        help="how often new vitals are folded into the daily rollup (reports stay exact "
        "between settles)",
        check=_positive("settle seconds"),
    )
    sourcemap_dir: str = option(
        "",
        env="RUM_SOURCEMAP_DIR",
        default_text="`<data dir>.sourcemaps` or `./rum-sourcemaps`",
        help="where uploaded source maps are kept ([errors.md](errors.md))",
    )
    sourcemap_max_bytes: int = option(
        32 * 1024 * 1024,
        env="RUM_SOURCEMAP_MAX_BYTES",
        default_text="`33554432` (32 MiB)",
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
    write_max_backoff_seconds: float = option(
        5.0,
        env="RUM_WRITE_MAX_BACKOFF_SECONDS",
        help="longest wait between retries of a failed insert",
        check=_positive("write max backoff seconds"),
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read ``RUM_*`` variables; explicit overrides (CLI options) win over the environment."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for field in dataclasses.fields(cls):
            declared = declaration(field.name)
            raw = env.get(declared.env)
            if raw is not None and raw != "":
                values[field.name] = parse(field.name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if isinstance(values.get("dsn"), str):
            values["dsn"] = resolve_dsn(str(values["dsn"]))
        return cls(**values)  # type: ignore[arg-type]

    def validate(self) -> list[str]:
        """All configuration errors, each one line; empty when the settings are usable."""
        errors = []
        for field in dataclasses.fields(self):
            check = declaration(field.name).check
            problem = check(getattr(self, field.name)) if check else None
            if problem:
                errors.append(problem)
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


def declaration(name: str) -> Option:
    """The :class:`Option` declared for the field ``name``."""
    declared: Option = _FIELDS[name].metadata["option"]
    return declared


def parse(name: str, raw: str) -> object:
    """A field's value from its text (environment variable or command-line flag)."""
    kind = _FIELDS[name].type
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        raise SettingsError(f"{declaration(name).env}={raw!r} is not a number") from None
    if kind == "tuple[str, ...]":
        return split_list(raw)
    if kind == "bool":
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return raw


def split_list(raw: str) -> tuple[str, ...]:
    """``"a, b,,c"`` → ``("a", "b", "c")``."""
    return tuple(part.strip() for part in raw.split(",") if part.strip())


_FIELDS = {field.name: field for field in dataclasses.fields(Settings)}
ENV_NAMES: dict[str, str] = {name: declaration(name).env for name in _FIELDS}


def default_text(name: str) -> str:
    """The default as the docs show it."""
    declared = declaration(name)
    if declared.default_text:
        return declared.default_text
    value = _FIELDS[name].default
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"`{value}`"


def add_flags(parser: argparse.ArgumentParser, names: Sequence[str]) -> None:
    """Add the declared flags of ``names`` to a command; each also names its variable.

    Every flag defaults to None ("not given"), so the environment and then the declared
    default apply; :func:`flag_values` reads them back.
    """
    for name in names:
        declared = declaration(name)
        plain = declared.help.replace("`", "")
        shown = default_text(name).replace("`", "")
        text = f"{plain} ({declared.env}; default {shown})"
        if _FIELDS[name].type == "bool":
            parser.add_argument(
                declared.flag, dest=name, action="store_true", default=None, help=text
            )
        else:
            parser.add_argument(declared.flag, dest=name, default=None, help=text)


def flag_values(args: argparse.Namespace, names: Sequence[str]) -> dict[str, object]:
    """The flags of ``names`` given on the command line, parsed like their variables."""
    values: dict[str, object] = {}
    for name in names:
        raw = getattr(args, name, None)
        if raw is None:
            continue
        values[name] = raw if isinstance(raw, bool) else parse(name, str(raw))
    return values


def markdown_table() -> str:
    """The settings table of ``docs/operations.md``: flag, variable, default, meaning."""
    lines = ["| option | environment | default | meaning |", "| --- | --- | --- | --- |"]
    for name in _FIELDS:
        declared = declaration(name)
        flag = f"`{declared.flag}`" if declared.flag else ""
        lines.append(
            f"| {flag} | `{declared.env}` | {default_text(name)} | {declared.help} |".replace(
                "|  |", "| |"
            )
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())  # the table of docs/operations.md
