-- The OpenTelemetry Collector clickhouseexporter's logs table, plus our MATERIALIZED
-- columns (materialized_columns.sql) and skip indexes (skip_indexes.sql).
-- ${columns}: the exporter's columns (contract.EXPORTER_COLUMNS), then ours, then the indexes.
CREATE TABLE IF NOT EXISTS ${database}.${table}${on_cluster} (
    ${columns}
) ENGINE = ${engine_MergeTree}
PARTITION BY toDate(Timestamp)
ORDER BY (toStartOfFiveMinutes(Timestamp), ServiceName, Timestamp)
TTL toDateTime(Timestamp) + toIntervalDay(${ttl_days})
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
