"""Server configuration: one frozen dataclass, read from options and the environment in one place.

Every option has an environment variable and a named default beside it. ``validate()``
reports every problem at once so an operator fixes a bad config in one go.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from rum_server.transform.label_budget import DEFAULT_LABEL_BUDGET
from rum_server.transform.redact import DEFAULT_QUERY_ALLOWLIST

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_DATABASE = "otel"
DEFAULT_TABLE = "otel_logs"
DEFAULT_TTL_DAYS = 90
DEFAULT_QUEUE_MAX_ROWS = 200_000
DEFAULT_FLUSH_ROWS = 10_000
DEFAULT_FLUSH_SECONDS = 1.0
DEFAULT_QUEUE_MAX_BYTES = 256 * 1024 * 1024
DEFAULT_SEGMENT_MAX_BYTES = 8 * 1024 * 1024
DEFAULT_FSYNC_SECONDS = 1.0
DEFAULT_SAMPLE_RATE_FLOOR = 0.01
DEFAULT_MAX_ROUTES_PER_SITE = 2_000
DEFAULT_MAX_LABEL_KEYS_PER_SITE = 1_000
DEFAULT_MAX_CONNECTIONS = 2_000
DEFAULT_MAX_CONNECTIONS_PER_PEER = 100
DEFAULT_HEADER_TIMEOUT_SECONDS = 10.0
DEFAULT_BODY_TIMEOUT_SECONDS = 10.0
DEFAULT_KEEP_ALIVE_SECONDS = 5.0
DEFAULT_SOURCEMAP_MAX_BYTES = 32 * 1024 * 1024
SUPPORTED_DSN_SCHEMES = ("chdb", "clickhouse", "clickhouses", "http", "https")


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


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the server and the CLI need; passed into ``create_app``."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    dsn: str = dataclasses.field(default_factory=default_dsn)
    database: str = DEFAULT_DATABASE
    table: str = DEFAULT_TABLE
    sites: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    demo: bool = False
    ttl_days: int = DEFAULT_TTL_DAYS
    query_allowlist: tuple[str, ...] = DEFAULT_QUERY_ALLOWLIST
    country_header: str = ""
    api_token: str = ""
    queue_max_rows: int = DEFAULT_QUEUE_MAX_ROWS
    flush_rows: int = DEFAULT_FLUSH_ROWS
    flush_seconds: float = DEFAULT_FLUSH_SECONDS
    spool_dir: str = ""
    rate_limit: float = 0.0
    client_ip_header: str = ""
    # Operation (issue 10): durability, bounds and abuse guards; docs/operations.md explains each.
    queue_max_bytes: int = DEFAULT_QUEUE_MAX_BYTES
    segment_max_bytes: int = DEFAULT_SEGMENT_MAX_BYTES
    fsync_seconds: float = DEFAULT_FSYNC_SECONDS
    proxy_hops: int = 1
    sample_rate_floor: float = DEFAULT_SAMPLE_RATE_FLOOR
    max_routes_per_site: int = DEFAULT_MAX_ROUTES_PER_SITE
    max_label_keys_per_site: int = DEFAULT_MAX_LABEL_KEYS_PER_SITE
    allowed_hosts: tuple[str, ...] = ()
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_connections_per_peer: int = DEFAULT_MAX_CONNECTIONS_PER_PEER
    header_timeout_seconds: float = DEFAULT_HEADER_TIMEOUT_SECONDS
    body_timeout_seconds: float = DEFAULT_BODY_TIMEOUT_SECONDS
    keep_alive_seconds: float = DEFAULT_KEEP_ALIVE_SECONDS
    sourcemap_dir: str = ""
    sourcemap_max_bytes: int = DEFAULT_SOURCEMAP_MAX_BYTES
    sourcemap_fetch_origins: tuple[str, ...] = ()
    workers: int = 1
    sinks: tuple[str, ...] = ("clickhouse",)
    otlp_endpoint: str = ""
    otlp_headers: str = ""
    label_budget: int = DEFAULT_LABEL_BUDGET

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read ``RUM_*`` variables; explicit overrides (CLI options) win over the environment."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for field in dataclasses.fields(cls):
            raw = env.get(ENV_NAMES[field.name])
            if raw is not None and raw != "":
                values[field.name] = _parse(field.name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if isinstance(values.get("dsn"), str):
            values["dsn"] = resolve_dsn(str(values["dsn"]))
        return cls(**values)  # type: ignore[arg-type]

    def validate(self) -> list[str]:
        """All configuration errors, each one line; empty when the settings are usable."""
        errors: list[str] = []
        if not 0 < self.port < 65536:
            errors.append(f"port {self.port} is not between 1 and 65535")
        scheme = urlsplit(self.dsn).scheme
        if scheme not in SUPPORTED_DSN_SCHEMES:
            errors.append(
                f"DSN {self.dsn!r} is not understood: use chdb:///absolute/path or "
                "clickhouse://user:pass@host:8123/db"
            )
        elif scheme == "chdb" and not self.data_path.startswith("/"):
            errors.append(f"DSN {self.dsn!r}: chdb needs an absolute path (chdb:///abs/path)")
        for name in ("database", "table"):
            value = getattr(self, name)
            if not value.replace("_", "").isalnum():
                errors.append(f"{name} {value!r} must be letters, digits and underscores")
        if self.ttl_days < 1:
            errors.append("ttl days must be at least 1")
        if self.rate_limit < 0:
            errors.append("rate limit must be 0 (off) or a positive number of batches per second")
        if self.sourcemap_max_bytes < 1:
            errors.append("source map size cap must be a positive number of bytes")
        for origin in self.sourcemap_fetch_origins:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
                errors.append(
                    f"source map fetch origin {origin!r} is not like https://shop.example"
                )
        if self.workers < 1:
            errors.append("workers must be at least 1")
        elif self.workers > 1 and self.embedded:
            errors.append(
                f"--workers {self.workers} needs a ClickHouse server: the embedded store is a "
                "directory only one process can open; run one worker, or set --dsn "
                "clickhouse://… (see docs/scaling.md)"
            )
        unknown = [name for name in self.sinks if name not in ("clickhouse", "otlp", "spans")]
        if unknown or not self.sinks:
            errors.append(
                f"sink must be clickhouse, otlp, spans or a list (clickhouse,spans), not {unknown}"
            )
        if "otlp" in self.sinks and urlsplit(self.otlp_endpoint).scheme not in ("http", "https"):
            errors.append(
                "the otlp sink needs --otlp-endpoint http(s)://host:4318 (RUM_OTLP_ENDPOINT)"
            )
        if self.label_budget < 1:
            errors.append("label budget must be at least 1 value per label key and day")
        if self.queue_max_rows < 1 or self.flush_rows < 1 or self.flush_seconds <= 0:
            errors.append("queue size, flush rows and flush seconds must be positive")
        if min(self.queue_max_bytes, self.segment_max_bytes, self.max_connections) < 1:
            errors.append("queue bytes, segment bytes and max connections must be positive")
        if self.fsync_seconds < 0 or self.proxy_hops < 1:
            errors.append("fsync seconds must be 0 or more and proxy hops at least 1")
        if not 0 < self.sample_rate_floor <= 1:
            errors.append("sample rate floor must be above 0 and at most 1")
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


ENV_NAMES: dict[str, str] = {
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

_INT_FIELDS = {"port", "ttl_days", "queue_max_rows", "flush_rows", "workers", "sourcemap_max_bytes"}
_INT_FIELDS |= {"label_budget"}
_FLOAT_FIELDS = {"flush_seconds", "rate_limit"}
_LIST_FIELDS = {"sites", "allowed_origins", "query_allowlist", "sinks", "sourcemap_fetch_origins"}
_INT_FIELDS |= {
    "queue_max_bytes",
    "segment_max_bytes",
    "proxy_hops",
    "max_routes_per_site",
    "max_label_keys_per_site",
    "max_connections",
    "max_connections_per_peer",
}
_FLOAT_FIELDS |= {
    "fsync_seconds",
    "sample_rate_floor",
    "header_timeout_seconds",
    "body_timeout_seconds",
    "keep_alive_seconds",
}
_LIST_FIELDS |= {"allowed_hosts"}
_BOOL_FIELDS = {"demo"}


class SettingsError(ValueError):
    """A setting whose text cannot be parsed; the message names the variable."""


def _parse(name: str, raw: str) -> object:
    try:
        if name in _INT_FIELDS:
            return int(raw)
        if name in _FLOAT_FIELDS:
            return float(raw)
    except ValueError:
        raise SettingsError(f"{ENV_NAMES[name]}={raw!r} is not a number") from None
    if name in _LIST_FIELDS:
        return split_list(raw)
    if name in _BOOL_FIELDS:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return raw


def split_list(raw: str) -> tuple[str, ...]:
    """``"a, b,,c"`` → ``("a", "b", "c")``."""
    return tuple(part.strip() for part in raw.split(",") if part.strip())
