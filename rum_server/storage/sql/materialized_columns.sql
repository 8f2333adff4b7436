-- Our MATERIALIZED columns, one per line: computed once at insert, invisible to SELECT *.
-- Rollups and reports read these instead of Map subscripts.
`RumRoute` LowCardinality(String) MATERIALIZED LogAttributes['${ROUTE}']
`RumMetricName` LowCardinality(String) MATERIALIZED LogAttributes['${METRIC_NAME}']
`RumMetricValue` Float64 MATERIALIZED toFloat64OrZero(LogAttributes['${METRIC_VALUE}'])
`RumMetricId` String MATERIALIZED LogAttributes['${METRIC_ID}']
`RumMetricRating` LowCardinality(String) MATERIALIZED LogAttributes['${METRIC_RATING}']
`RumDeviceType` LowCardinality(String) MATERIALIZED LogAttributes['${DEVICE_TYPE}']
`RumBrowserName` LowCardinality(String) MATERIALIZED LogAttributes['${BROWSER_NAME}']
`RumSampleRate` Float64 MATERIALIZED toFloat64OrDefault(LogAttributes['${SAMPLE_RATE}'], 1.)
`RumPageViewId` String MATERIALIZED LogAttributes['${PAGE_VIEW_ID}']
`RumSessionId` String MATERIALIZED LogAttributes['${SESSION_ID}']
`RumErrorFingerprint` String MATERIALIZED LogAttributes['${ERROR_FINGERPRINT}']
`RumErrorCount` UInt32 MATERIALIZED toUInt32OrDefault(LogAttributes['${ERROR_COUNT}'], toUInt32(1))
`RumEventName` LowCardinality(String) MATERIALIZED LogAttributes['${EVENT_NAME}']
`ServiceVersion` LowCardinality(String) MATERIALIZED ResourceAttributes['${SERVICE_VERSION}']
