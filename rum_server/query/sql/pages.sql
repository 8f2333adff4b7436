-- Weighted page views and distinct sessions per route.
SELECT RumRoute AS route, toUInt64(round(sum(page_views))) AS page_views,
       uniqMerge(sessions) AS sessions
FROM ${page_views_daily}
WHERE ${conditions}
GROUP BY route
ORDER BY page_views DESC, route
