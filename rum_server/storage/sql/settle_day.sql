-- Rebuild one day of rum_vitals_daily from stage FINAL in the scratch twin, swap it in
-- atomically, and record the stage's parts fingerprint the rebuild read.
ALTER TABLE ${scratch} DROP PARTITION ID '${partition}';

INSERT INTO ${scratch}
SELECT ServiceName, day, RumRoute, RumMetricName, RumDeviceType,
       sum(Weight) AS samples, count() AS kept,
       sumIf(Weight, RumMetricRating = '${GOOD}') AS good,
       sumIf(Weight, RumMetricRating = '${NEEDS_IMPROVEMENT}') AS needs_improvement,
       sumIf(Weight, RumMetricRating = '${POOR}') AS poor,
       ${quantiles_state}(RumMetricValue, ${digest_weight}) AS quantiles
FROM ${stage} FINAL
WHERE day = ${day}
GROUP BY ServiceName, day, RumRoute, RumMetricName, RumDeviceType
${final_settings};

ALTER TABLE ${daily} REPLACE PARTITION ID '${partition}' FROM ${scratch};

ALTER TABLE ${scratch} DROP PARTITION ID '${partition}';

INSERT INTO ${settled} (day, stage_parts) VALUES (${day}, '${stage_parts}');
