/**
 * Sends one JSON body without blocking the page, even while it unloads: sendBeacon with a
 * string (sent as text/plain, so no CORS preflight), else fetch with keepalive when
 * sendBeacon is missing or refuses. No retries: a lost beacon is lost (retrying on unload
 * would only pile up requests). The caller's guard catches what these throw.
 */
export const sendBatch = (endpoint: string, body: string): void => {
  navigator.sendBeacon?.(endpoint, body) || fetch(endpoint, { method: 'POST', body, keepalive: true }).catch(() => {});
};
