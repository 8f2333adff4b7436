-- The two newest releases (by first row) seen in the window: the default comparison.
SELECT ServiceVersion AS release FROM ${releases}
WHERE ServiceVersion != ''${site}
GROUP BY release
HAVING toDate(max(last_seen)) >= ${first_day}
ORDER BY min(first_seen) DESC, release DESC
LIMIT 2
