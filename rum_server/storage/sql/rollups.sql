-- The other rollups: plain insert-triggered views (no duplicates to fear).

-- Which days settle last built, with the stage's parts fingerprint then.
CREATE TABLE IF NOT EXISTS ${database}.rum_vitals_settled${on_cluster} (
    day Date,
    stage_parts String,
    settled_at DateTime64(3) DEFAULT now64(3)
) ENGINE = ${engine_ReplacingMergeTree_settled_at}
ORDER BY (day);

CREATE TABLE IF NOT EXISTS ${database}.rum_errors_daily${on_cluster} (
    ServiceName LowCardinality(String),
    day Date,
    RumErrorFingerprint String,
    RumDeviceType LowCardinality(String),
    error_type SimpleAggregateFunction(any, String),
    message SimpleAggregateFunction(any, String),
    route SimpleAggregateFunction(any, String),
    occurrences SimpleAggregateFunction(sum, Float64),
    page_views SimpleAggregateFunction(sum, Float64),
    first_seen SimpleAggregateFunction(min, DateTime64(9)),
    last_seen SimpleAggregateFunction(max, DateTime64(9))
) ENGINE = ${engine_AggregatingMergeTree}
PARTITION BY toYYYYMM(day)
ORDER BY (ServiceName, day, RumErrorFingerprint, RumDeviceType)
TTL ${rollup_ttl};

CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.rum_errors_daily_mv${on_cluster} TO ${database}.rum_errors_daily AS
SELECT ServiceName, toDate(Timestamp) AS day, RumErrorFingerprint, RumDeviceType,
       any(LogAttributes['${ERROR_TYPE}']) AS error_type,
       any(LogAttributes['${ERROR_MESSAGE}']) AS message,
       any(RumRoute) AS route,
       sum(RumErrorCount * ${weight}) AS occurrences,
       sum(${weight}) AS page_views,
       min(Timestamp) AS first_seen, max(Timestamp) AS last_seen
FROM ${logs}
WHERE EventName = '${ERROR_EVENT}'
GROUP BY ServiceName, day, RumErrorFingerprint, RumDeviceType;

CREATE TABLE IF NOT EXISTS ${database}.rum_page_views_daily${on_cluster} (
    ServiceName LowCardinality(String),
    day Date,
    RumRoute LowCardinality(String),
    RumDeviceType LowCardinality(String),
    page_views SimpleAggregateFunction(sum, Float64),
    sessions AggregateFunction(uniq, String)
) ENGINE = ${engine_AggregatingMergeTree}
PARTITION BY toYYYYMM(day)
ORDER BY (ServiceName, day, RumRoute, RumDeviceType)
TTL ${rollup_ttl};

CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.rum_page_views_daily_mv${on_cluster} TO ${database}.rum_page_views_daily AS
SELECT ServiceName, toDate(Timestamp) AS day, RumRoute, RumDeviceType,
       sum(${weight}) AS page_views, uniqState(RumSessionId) AS sessions
FROM ${logs}
WHERE EventName = '${PAGE_VIEW}'
GROUP BY ServiceName, day, RumRoute, RumDeviceType;

CREATE TABLE IF NOT EXISTS ${database}.rum_releases${on_cluster} (
    ServiceName LowCardinality(String),
    ServiceVersion LowCardinality(String),
    first_seen SimpleAggregateFunction(min, DateTime64(9)),
    last_seen SimpleAggregateFunction(max, DateTime64(9)),
    rows SimpleAggregateFunction(sum, UInt64)
) ENGINE = ${engine_AggregatingMergeTree}
ORDER BY (ServiceName, ServiceVersion);

CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.rum_releases_mv${on_cluster} TO ${database}.rum_releases AS
SELECT ServiceName, ServiceVersion, min(Timestamp) AS first_seen,
       max(Timestamp) AS last_seen, count() AS rows
FROM ${logs}
WHERE ScopeName = '${SCOPE_NAME}'
GROUP BY ServiceName, ServiceVersion;
