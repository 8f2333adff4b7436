"""What every ``rum-server`` command shares: the declared settings as options, one-line errors.

The options themselves are declared once in :mod:`rum_server.settings`; the command
modules (serve and schema in ``main``, query, sql, demo-data, sourcemaps) take theirs
from here, so no command module needs ``main``, which imports them all.
"""

from __future__ import annotations

import argparse
from typing import Any

from rum_server.settings import Settings, SettingsError, add_options, given_options

EXIT_CONFIG = 2


class CliError(Exception):
    """A problem to report as one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_CONFIG) -> None:
        super().__init__(message)
        self.code = code


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """Options every command that touches the store shares (declared in settings.py)."""
    add_options(parser, "store")


def settings_from(args: argparse.Namespace, **extra: object) -> Settings:
    """Settings from the environment with the command line's options on top, validated."""
    try:
        overrides: dict[str, Any] = {**given_options(args), **extra}
        settings = Settings.from_env(**overrides)
    except (SettingsError, TypeError) as exc:
        raise CliError(str(exc)) from None
    problems = settings.validate()
    if problems:
        raise CliError("bad configuration: " + "; ".join(problems))
    return settings
