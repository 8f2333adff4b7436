-- p50/p75/p95 and rating shares of one metric per ${by}; ${source}: vitals_from_*.sql.
SELECT ${column} AS ${by},
       toUInt64(round(sum(w_samples))) AS samples,
       toUInt64(sum(w_kept)) AS kept,
       round(sum(w_good) / sum(w_samples), 4) AS good,
       round(sum(w_needs_improvement) / sum(w_samples), 4) AS needs_improvement,
       round(sum(w_poor) / sum(w_samples), 4) AS poor,
       round(toFloat64(${quantiles_merge}(digest)[1]), 3) AS p50,
       round(toFloat64(${quantiles_merge}(digest)[2]), 3) AS p75,
       round(toFloat64(${quantiles_merge}(digest)[4]), 3) AS p95
FROM (
${source}
)
GROUP BY ${by}
ORDER BY samples DESC, ${by}
${final_settings}
