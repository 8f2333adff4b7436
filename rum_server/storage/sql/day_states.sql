-- Every stage and settled day with its fingerprint: the input of split_days.
SELECT 'stage' AS kind, day, stage_parts
FROM (${stage_parts})
UNION ALL
SELECT 'settled', day, stage_parts FROM ${settled} FINAL
