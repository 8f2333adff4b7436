-- The rollups (see storage/rollups.py for how vitals are deduplicated and settled).
-- Each statement is idempotent. ${engine_*}: a plain engine, or its Replicated twin on a cluster.

-- Every vital, narrowed, keyed by metric id: FINAL keeps the latest report of each id.
CREATE TABLE IF NOT EXISTS ${database}.rum_vitals_stage${on_cluster} (
    ServiceName LowCardinality(String),
    day Date,
    RumMetricId String,
    RumRoute LowCardinality(String),
    RumMetricName LowCardinality(String),
    RumMetricValue Float64,
    RumMetricRating LowCardinality(String),
    RumDeviceType LowCardinality(String),
    RumBrowserName LowCardinality(String),
    ServiceVersion LowCardinality(String),
    Weight Float64,
    Timestamp DateTime64(9)
) ENGINE = ${engine_ReplacingMergeTree_Timestamp}
PARTITION BY day
ORDER BY (ServiceName, RumMetricName, RumMetricId)
TTL day + toIntervalDay(${ttl_days});

CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.rum_vitals_stage_mv${on_cluster} TO ${database}.rum_vitals_stage AS
SELECT ServiceName, toDate(Timestamp) AS day,
       if(RumMetricId != '', RumMetricId, toString(generateUUIDv4()))
           AS RumMetricId,
       RumRoute, RumMetricName, RumMetricValue, RumMetricRating, RumDeviceType,
       RumBrowserName, ServiceVersion, ${weight} AS Weight, Timestamp
FROM ${logs}
WHERE EventName = '${WEB_VITAL}' AND RumMetricName != '';
