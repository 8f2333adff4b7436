-- The event a RUM row is, from the keys only that event carries (wire.md); else a page view.
multiIf(mapContains(LogAttributes, '${METRIC_NAME}'), '${WEB_VITAL}', mapContains(LogAttributes, '${ERROR_FINGERPRINT}'), '${ERROR_EVENT}', mapContains(LogAttributes, '${EVENT_NAME}'), '${CUSTOM_EVENT}', '${PAGE_VIEW}')
