-- Top error fingerprints by weighted occurrences.
SELECT RumErrorFingerprint AS fingerprint, any(error_type) AS type,
       any(message) AS message, any(route) AS route,
       toUInt64(round(sum(occurrences))) AS count,
       toUInt64(round(sum(page_views))) AS page_views,
       min(first_seen) AS first_seen, max(last_seen) AS last_seen
FROM ${errors_daily}
WHERE ${conditions}
GROUP BY fingerprint
ORDER BY count DESC, fingerprint
LIMIT ${limit}
