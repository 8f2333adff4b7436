-- The two newest releases (by first row) seen in the window: the default comparison.
SELECT ServiceVersion AS release FROM ${releases}
WHERE ServiceVersion != ''${site}
GROUP BY release
HAVING max(last_seen) >= now() - INTERVAL ${days} DAY
ORDER BY min(first_seen) DESC, release DESC
LIMIT 2
