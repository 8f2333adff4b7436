-- Days of the stage never settled, or changed (rows added or parts merged) since.
SELECT s.day, s.stage_parts
FROM (${stage_parts}) AS s
LEFT JOIN (SELECT day, stage_parts FROM ${settled} FINAL) AS d ON s.day = d.day
WHERE s.stage_parts != d.stage_parts
ORDER BY s.day
