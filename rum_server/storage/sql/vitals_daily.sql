-- The daily vitals rollup (${name} = rum_vitals_daily), and its twin rum_vitals_daily_settle
-- where settle builds a day before swapping it in.
CREATE TABLE IF NOT EXISTS ${database}.${name}${on_cluster} (
    ServiceName LowCardinality(String),
    day Date,
    RumRoute LowCardinality(String),
    RumMetricName LowCardinality(String),
    RumDeviceType LowCardinality(String),
    samples SimpleAggregateFunction(sum, Float64),
    kept SimpleAggregateFunction(sum, UInt64),
    good SimpleAggregateFunction(sum, Float64),
    needs_improvement SimpleAggregateFunction(sum, Float64),
    poor SimpleAggregateFunction(sum, Float64),
    quantiles ${quantiles_type}
) ENGINE = ${engine_AggregatingMergeTree}
PARTITION BY day
ORDER BY (ServiceName, RumMetricName, day, RumRoute, RumDeviceType)
TTL ${rollup_ttl}
