import type { WireEvent } from './types';

const byteLength = (text: string): number => new Blob([text]).size;

/**
 * JSON bodies for `events`, each below `maxBytes` (keepalive and sendBeacon allow about
 * 64 KB in flight) and at most 200 events (the server's limit). Every body carries the full
 * envelope, so each batch stands alone.
 */
export const splitBatch = (envelope: object, events: WireEvent[], maxBytes: number): string[] => {
  const bodies: string[] = [];
  const body = (part: WireEvent[]) => JSON.stringify({ ...envelope, events: part });
  let part: WireEvent[] = [];
  for (const event of events) {
    part.push(event);
    if (part.length > 1 && (part.length > 200 || byteLength(body(part)) > maxBytes)) {
      part.pop();
      bodies.push(body(part));
      part = [event];
    }
  }
  if (part.length) bodies.push(body(part));
  return bodies;
};
