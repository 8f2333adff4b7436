"""The analyst's reports, over the rollups."""
