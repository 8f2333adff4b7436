-- Funnel: weighted sessions reaching each step in order (windowFunnel, one day window).
-- Custom events have no rollup: this reads the logs table's MATERIALIZED columns.
SELECT step, event, sessions,
       round(if(first_value(sessions) OVER w = 0, 0, sessions / first_value(sessions) OVER w), 4) AS of_first,
       round(if(lagInFrame(sessions, 1, sessions) OVER w = 0, 0,
             sessions / lagInFrame(sessions, 1, sessions) OVER w), 4) AS of_previous
FROM (
    SELECT step, ${name_array}[step] AS event,
           toUInt64(round(sum(if(level >= step, weight, 0)))) AS sessions
    FROM (
        SELECT RumSessionId, any(${weight}) AS weight,
               windowFunnel(86400000)(toUInt64(toUnixTimestamp64Milli(Timestamp)),
                   ${steps}) AS level
        FROM ${logs}
        WHERE ${conditions}
        GROUP BY RumSessionId
    )
    ARRAY JOIN arrayEnumerate(${name_array}) AS step
    GROUP BY step
)
WINDOW w AS (ORDER BY step ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
ORDER BY step
