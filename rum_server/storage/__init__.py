"""The store: connection, schema and rollups, the write-ahead log, the writer and its sinks."""
