"""What every ``rum-server`` command shares: one-line errors, the store options, settings,
and the rule "open the store, or ask the running server that holds it".

Bad configuration ends the process with one clear line on stderr and a non-zero exit,
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import TypeVar

from rum_server.settings import Settings, SettingsError, add_flags, flag_values

EXIT_STORE = 1
EXIT_USAGE = 2
EXIT_CONFIG = 2
API_TIMEOUT_SECONDS = 60.0
STORE_OPTIONS = ("dsn", "database", "table")
"""The settings every command that touches the store offers as flags."""

T = TypeVar("T")


class CliError(Exception):
    """A problem to report as one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_CONFIG) -> None:
        super().__init__(message)
        self.code = code


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """``--dsn``, ``--database``, ``--table``: declared in settings.py like every option."""
    add_flags(parser, STORE_OPTIONS)


def add_server_options(parser: argparse.ArgumentParser) -> None:
    """``--host``/``--port`` of a running server, for the API fallback."""
    parser.add_argument("--host", help="the running server's host, for the API fallback")
    parser.add_argument("--port", type=int, help="the running server's port (RUM_PORT)")


def settings_from(args: argparse.Namespace, **extra: object) -> Settings:
    """Settings from the environment with the command line's options on top, validated."""
    try:
        overrides = {**flag_values(args, STORE_OPTIONS), **extra}
        settings = Settings.from_env(None, **overrides)
    except (SettingsError, TypeError) as exc:
        raise CliError(str(exc)) from None
    problems = settings.validate()
    if problems:
        raise CliError("bad configuration: " + "; ".join(problems))
    return settings


def require_data_dir(settings: Settings) -> None:
    """An embedded store that does not exist yet is a usage error with the way out."""
    if settings.embedded and not Path(settings.data_path).is_dir():
        raise CliError(
            f"no data directory at {settings.data_path} (seed it with rum-server demo-data, "
            "start rum-server serve, or pass --dsn)",
            EXIT_USAGE,
        )


def api_base(settings: Settings) -> str:
    host = "127.0.0.1" if settings.host in ("", "0.0.0.0") else settings.host
    host = "[::1]" if host == "::" else (f"[{host}]" if ":" in host else host)
    return f"http://{host}:{settings.port}/__deco/rum/api"


def ask_server(settings: Settings, url: str, data: bytes | None = None) -> bytes:
    """GET (or POST ``data`` to) the running server's API, which holds the embedded store;
    says so on stderr, sends the token, maps failures to one-line errors."""
    print(
        f"rum-server: the data directory is in use by a running server; asking it at {url}",
        file=sys.stderr,
    )
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/json"})
    if data is not None:
        request.add_header("Content-Type", "text/plain; charset=utf-8")
    if settings.api_token:
        request.add_header("Authorization", f"Bearer {settings.api_token}")
    try:
        with urllib.request.urlopen(request, timeout=API_TIMEOUT_SECONDS) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        detail = error_detail(exc.read())
        code = EXIT_USAGE if exc.code == 400 else EXIT_STORE
        raise CliError(f"the server answered {exc.code}: {detail}", code) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CliError(
            f"the data directory is locked but no server answers at {url}: {reason} "
            "(pass --host/--port, or set RUM_HOST/RUM_PORT, to the running server's)",
            EXIT_STORE,
        ) from None


def error_detail(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return body.decode(errors="replace")[:200]
    if isinstance(data, dict):
        return str(data.get("detail") or data.get("error") or data)
    return str(data)
