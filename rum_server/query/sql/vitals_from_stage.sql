-- Per ${keys}: weighted samples, rating sums and t-digest states, from stage FINAL
-- (each metric id once, with its last value).
SELECT ${keys}, sum(Weight) AS w_samples, count() AS w_kept,
       sumIf(Weight, RumMetricRating = '${GOOD}') AS w_good,
       sumIf(Weight, RumMetricRating = '${NEEDS_IMPROVEMENT}') AS w_needs_improvement,
       sumIf(Weight, RumMetricRating = '${POOR}') AS w_poor,
       ${quantiles_state}(RumMetricValue, ${digest_weight}) AS digest
FROM ${stage} FINAL
WHERE ${conditions}
GROUP BY ${keys}
