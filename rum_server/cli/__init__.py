"""``rum-server``: the command line, one module per command (see :mod:`.main`)."""

from __future__ import annotations

from rum_server.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
