-- Every site id with data, with its first and last row.
SELECT ServiceName AS site, sum(rows) AS rows,
       min(first_seen) AS first_seen, max(last_seen) AS last_seen
FROM ${releases}
GROUP BY site
ORDER BY site
