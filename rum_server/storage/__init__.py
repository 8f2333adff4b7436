"""Where rows go and stay: the store, its schema and rollups, the writer, sinks, spool."""
