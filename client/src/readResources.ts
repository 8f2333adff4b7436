import type { RequestCounts, ResourcesEvent } from './types';

/** The fields of a PerformanceResourceTiming entry the rollup reads. */
export interface ResourceEntry {
  name: string;
  initiatorType: string;
  startTime: number;
  duration: number;
  transferSize: number;
  decodedBodySize: number;
  contentType?: string;
  renderBlockingStatus?: string;
}

/** Adds one request of `bytes` to `key` in a [count, bytes] map of at most 16 keys. */
const add = (map: RequestCounts, key: string, bytes: number) => {
  const cell = map[key] || (Object.keys(map).length < 16 ? (map[key] = [0, 0]) : [0, 0]);
  cell[0]++;
  cell[1] += bytes;
};

/**
 * The resource-timing rollup of a page view (wire event `resources`), from the resource
 * entries that started at or after `from` (the page view's start) on page `pageHost`:
 * request count and transfer bytes in all (`n`, `b`), by initiator type (`i`) and by
 * content type (`ct`, "" when the browser does not say); cache hits (`c`: nothing transferred, a body decoded);
 * render-blocking requests (`rb`); requests and bytes by host other than the page's
 * (`h`: the server reduces hosts to registrable domains and tells third parties apart); the
 * 5 slowest requests (`s`: origin and path, the query and fragment dropped, and their
 * duration in ms; the server cuts and rounds). Maps keep their first 16 keys (the totals
 * count everything). Undefined when there is none. Every byte here ships in the snippet,
 * so whatever the server can do is left to it.
 */
export const readResources = (entries: readonly ResourceEntry[], from: number, pageHost: string): ResourcesEvent | undefined => {
  const event = { t: 'resources', n: 0, b: 0, c: 0, rb: 0, i: {}, ct: {}, h: {} } as ResourcesEvent;
  const slowest: [string, number][] = [];
  for (const entry of entries)
    if (entry.startTime >= from) {
      const bytes = entry.transferSize;
      const url = new URL(entry.name);
      event.n++;
      event.b += bytes;
      if (!bytes && entry.decodedBodySize) event.c++;
      if (entry.renderBlockingStatus == 'blocking') event.rb++;
      if (url.hostname != pageHost) add(event.h, url.hostname, bytes);
      add(event.i, entry.initiatorType, bytes);
      add(event.ct, entry.contentType!, bytes);
      slowest.push([url.origin + url.pathname, entry.duration]);
    }
  event.s = slowest.sort((a, b) => b[1] - a[1]).slice(0, 5);
  if (event.n) return event;
};
