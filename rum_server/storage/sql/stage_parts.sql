-- Per day of the stage, a fingerprint of its data parts, from metadata only: any insert
-- adds a part and any merge replaces parts, so an equal fingerprint means unchanged.
SELECT toDate(partition) AS day,
       toString(cityHash64(arraySort(groupArray(name)))) AS stage_parts
FROM system.parts
WHERE database = '${stage_database}' AND table = '${stage_table}' AND active
GROUP BY partition
