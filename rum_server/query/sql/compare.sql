-- p75 of two sides (releases or date ranges), the change and its 95% interval.
-- Per side: the weighted p75 from stage FINAL and its order-statistic interval
-- (${p75_low}, ${p75_high}: quantile levels n·q ∓ z·sqrt(n·q·(1-q))); the change's
-- interval combines both sides' standard errors (width / 2z).
SELECT ${columns}
FROM (
    SELECT key AS ${group}, ${label_a} AS a, ${label_b} AS b,
           toUInt64(round(anyIf(samples, side = 'a'))) AS samples_a,
           toUInt64(round(anyIf(samples, side = 'b'))) AS samples_b,
           round(anyIf(p75, side = 'a'), 3) AS p75_a,
           round(anyIf(p75, side = 'b'), 3) AS p75_b,
           round(p75_b - p75_a, 3) AS change,
           round(if(p75_a = 0, 0, 100 * (p75_b - p75_a) / p75_a), 1) AS change_pct,
           sqrt(sumIf(pow((p75_high - p75_low) / (2 * ${z}), 2), side IN ('a', 'b'))) AS se,
           round(change - ${z} * se, 3) AS change_low,
           round(change + ${z} * se, 3) AS change_high,
           toBool(min(n_eff) >= ${min_samples}
                  AND (change_low > 0 OR change_high < 0)) AS significant,
           multiIf(min(n_eff) < ${min_samples}, 'too few samples',
                   NOT significant, 'no significant change',
                   change > 0, 'regressed', 'improved') AS verdict
    FROM (
        SELECT key, side, sum(Weight) AS samples,
               pow(sum(Weight), 2) / sum(Weight * Weight) AS n_eff,
               arraySort(x -> x.1, groupArray((RumMetricValue, Weight))) AS sorted,
               arrayCumSum(arrayMap(x -> x.2, sorted)) AS cum,
               ${p75} AS p75,
               ${p75_low} AS p75_low,
               ${p75_high} AS p75_high
        FROM (
            SELECT ${key} AS key, ${side} AS side, RumMetricValue, Weight
            FROM ${stage} FINAL
            WHERE ${conditions}
        )
        WHERE side != ''
        GROUP BY key, side
    )
    GROUP BY key
    HAVING countIf(side = 'a') > 0 AND countIf(side = 'b') > 0
)
ORDER BY samples_a + samples_b DESC, ${group}
${final_settings}
