-- Daily p75 and samples per metric, with the releases first seen on each day.
SELECT t.day AS day, t.metric AS metric, t.samples AS samples, t.p75 AS p75,
       r.releases AS new_releases
FROM (
    SELECT day, RumMetricName AS metric, toUInt64(round(sum(w_samples))) AS samples,
           round(toFloat64(${quantiles_merge}(digest)[2]), 3) AS p75
    FROM (
${source}
    )
    GROUP BY day, metric
) AS t
LEFT JOIN (
    SELECT toDate(first_seen) AS day, arraySort(groupArray(ServiceVersion)) AS releases
    FROM (
        SELECT ServiceVersion, min(first_seen) AS first_seen
        FROM ${releases}
        WHERE ServiceVersion != ''${release_site}
        GROUP BY ServiceVersion
    )
    GROUP BY day
) AS r ON t.day = r.day
ORDER BY day, metric
${final_settings}
