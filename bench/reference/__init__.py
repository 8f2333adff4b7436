"""The reference ingest server: what a competent Python team would write with FastAPI."""
