-- Rows that are ours (by scope or by the id every RUM row carries) but have no event name:
-- older Collector exporters insert them, and no report (all select by EventName) counts them.
EventName = '' AND (ScopeName = '${SCOPE_NAME}' OR mapContains(LogAttributes, '${PAGE_VIEW_ID}') OR mapContains(LogAttributes, '${METRIC_NAME}'))
