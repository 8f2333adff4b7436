import type { WireEvent } from './types';

/**
 * JSON bodies for `events`, each below `maxBytes` of UTF-8 (keepalive and sendBeacon allow
 * about 64 KB in flight) and at most 200 events (the server's limit). Every body carries
 * the full envelope, so each batch stands alone.
 */
export const splitBatch = (envelope: object, events: WireEvent[], maxBytes: number): string[] => {
  const bodies: string[] = [];
  const body = (part: WireEvent[]) => JSON.stringify({ ...envelope, events: part });
  let part: WireEvent[] = [];
  for (const event of events) {
    if (part[0] && (part.length > 199 || new Blob([body([...part, event])]).size > maxBytes)) {
      bodies.push(body(part));
      part = [];
    }
    part.push(event);
  }
  if (part[0]) bodies.push(body(part));
  return bodies;
};
