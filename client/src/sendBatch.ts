/**
 * Sends one JSON body without blocking the page, even while it unloads: sendBeacon with a
 * string (sent as text/plain, so no CORS preflight), else fetch with keepalive. No retries:
 * a lost beacon is lost (retrying on unload would only pile up requests).
 */
export const sendBatch = (endpoint: string, body: string): void => {
  try {
    if (navigator.sendBeacon(endpoint, body)) return;
  } catch (e) {
    // no sendBeacon, or it refused: fall back to fetch
  }
  try {
    fetch(endpoint, { method: 'POST', body, keepalive: true }).catch(() => {});
  } catch (e) {
    // nothing else to try
  }
};
