-- The same columns as vitals_from_stage.sql, from the settled daily rollup.
SELECT ${keys}, samples AS w_samples, kept AS w_kept, good AS w_good,
       needs_improvement AS w_needs_improvement, poor AS w_poor, quantiles AS digest
FROM ${daily}
WHERE ${conditions}
