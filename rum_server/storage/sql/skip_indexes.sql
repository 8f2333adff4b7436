-- The exporter's skip indexes, one per line, and ours (page view id) last.
INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1
INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1
INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1
INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1
INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1
INDEX idx_log_attr_key mapKeys(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1
INDEX idx_log_attr_value mapValues(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1
INDEX idx_body Body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
INDEX idx_rum_page_view RumPageViewId TYPE bloom_filter(0.01) GRANULARITY 1
