"""Reading the store: the reports, the query API and read-only SQL."""
