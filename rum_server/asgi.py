"""An ASGI entry point for other servers, configured from ``RUM_*`` variables.

    RUM_CLICKHOUSE_DSN=clickhouse://… granian --interface asgi rum_server.asgi:app

``rum-server serve`` is the supported way to run (it checks the configuration
before listening); this is for deployments that standardise on another server.
"""

from __future__ import annotations

from rum_server.app import create_app
from rum_server.settings import Settings

app = create_app(Settings.from_env())
