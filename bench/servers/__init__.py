"""ASGI apps the ingest benchmark runs beside ``rum-server serve``."""
