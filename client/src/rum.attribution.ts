/**
 * rum.attribution.js: as rum.js, with web-vitals' attribution sent in each event's `attr`
 * map, and the resource-timing rollup of each page view (readResources).
 */
import { onCLS } from 'web-vitals/attribution/onCLS.js';
import { onFCP } from 'web-vitals/attribution/onFCP.js';
import { onINP } from 'web-vitals/attribution/onINP.js';
import { onLCP } from 'web-vitals/attribution/onLCP.js';
import { onTTFB } from 'web-vitals/attribution/onTTFB.js';
import { guard } from './lib/guard';
import { onFID } from './onFID';
import { readResources } from './readResources';
import { start } from './start';
import { toWebVital } from './toWebVital';
import type { MetricReport } from './types';

start((push) => {
  const report = guard((metric: MetricReport & { attribution?: object }) => push(toWebVital(metric, metric.attribution)));
  // Each guarded: an API this browser lacks leaves the other metrics running.
  for (const observe of [onTTFB, onFCP, onLCP, onCLS, onINP, onFID] as ((cb: typeof report) => void)[]) guard(observe)(report);
}, (from) => readResources(performance.getEntriesByType('resource') as PerformanceResourceTiming[], from, location.hostname));
