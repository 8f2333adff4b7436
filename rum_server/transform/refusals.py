"""Why the transform refuses a whole batch: plain exceptions, no HTTP status.

The ingest layer (``ingest/errors.py``) decides how each is answered, so the pure
transform never knows it runs behind HTTP.
"""

from __future__ import annotations


class BatchRefused(Exception):
    """The batch is not wire format v1, or no event in it is valid."""

    def __init__(self, message: str, detail: list[object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail: list[object] = detail or []


class SiteNotAccepted(BatchRefused):
    """The batch names a site this server does not accept (``--site``)."""
