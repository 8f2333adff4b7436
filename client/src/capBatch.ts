import type { WireEvent } from './types';

const bytes = (value: object) => new Blob([JSON.stringify(value)]).size;

/**
 * rum.errors.js's one JSON body for `events` (instead of splitBatch's several): the
 * envelope with the longest run of the queue, from its start, that stays within `maxBytes`
 * of UTF-8 (keepalive and sendBeacon allow about 64 KB in flight). The body's JSON is the
 * envelope's with `events: []` plus each event's and a comma between two, so counting each
 * event once (plus one byte) bounds it, in one pass. With the errors build's caps (message
 * 500, stack 1,500 and file 300 characters, 20 distinct errors, 200 events) a page view's
 * errors in plain text fit; what would pass the limit, the newest events, is dropped.
 */
export const capBatch = (envelope: object, events: WireEvent[], maxBytes: number): string[] => {
  // The envelope's JSON with `,"events":[]` (12 bytes) before its closing brace.
  let size = bytes(envelope) + 12;
  // size only grows, so the events kept are a run from the start.
  events = events.filter((event) => (size += bytes(event) + 1) <= maxBytes);
  return events[0] ? [JSON.stringify({ ...envelope, events })] : [];
};
