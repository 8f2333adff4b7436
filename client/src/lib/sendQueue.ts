import { capBatch } from '../capBatch';
import { splitBatch } from '../splitBatch';
import type { WireEvent } from '../types';

/**
 * Sends `events` with `envelope` to `endpoint` without blocking the page, even while it
 * unloads: in bodies below 60,000 B and 200 events each (splitBatch), or, in rum.errors.js,
 * one body held within 60,000 B (capBatch). Each body goes by sendBeacon as a string (sent
 * as text/plain, so no CORS preflight), else (except in rum.errors.js) by fetch with
 * keepalive when sendBeacon is missing or refuses. No retries: a lost beacon is lost (retrying on unload would only pile
 * up requests). The caller's guard catches what these throw.
 */
export const sendQueue = (endpoint: string, envelope: object, events: WireEvent[]): void => {
  for (const body of (__ERRORS_ONLY__ ? capBatch : splitBatch)(envelope, events, 6e4))
    // rum.errors.js has no fetch fallback (docs/snippet.md): every current browser has
    // sendBeacon, and a keepalive fetch shares the 64 KB in flight that made it refuse.
    __ERRORS_ONLY__
      ? navigator.sendBeacon(endpoint, body)
      : navigator.sendBeacon?.(endpoint, body) || fetch(endpoint, { method: 'POST', body, keepalive: true }).catch(() => {});
};
