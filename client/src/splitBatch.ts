import type { WireEvent } from './types';

/**
 * JSON bodies for `events`, each below `maxBytes` of UTF-8 (keepalive and sendBeacon allow
 * about 64 KB in flight) and at most 200 events (the server's limit): the first 200 apart,
 * else halves until each fits (an event too big on its own goes alone). Every body carries
 * the full envelope, so each batch stands alone; the order is kept.
 */
export const splitBatch = (envelope: object, events: WireEvent[], maxBytes: number): string[] => {
  const body = JSON.stringify({ ...envelope, events });
  const cut = events[200] ? 200 : new Blob([body]).size > maxBytes && events.length >> 1;
  return cut
    ? [...splitBatch(envelope, events.slice(0, cut), maxBytes), ...splitBatch(envelope, events.slice(cut), maxBytes)]
    : events[0]
      ? [body]
      : [];
};
