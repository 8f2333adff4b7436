/** rum.js: Web Vitals (web-vitals, standard build), errors, page views, the API, transport. */
import { onCLS } from 'web-vitals/onCLS.js';
import { onFCP } from 'web-vitals/onFCP.js';
import { onINP } from 'web-vitals/onINP.js';
import { onLCP } from 'web-vitals/onLCP.js';
import { onTTFB } from 'web-vitals/onTTFB.js';
import { guard } from './lib/guard';
import { onFID } from './onFID';
import { start } from './start';
import { toWebVital } from './toWebVital';

start((push) => {
  const report = guard((metric: Parameters<typeof toWebVital>[0]) => push(toWebVital(metric)));
  // Each guarded: an API this browser lacks leaves the other metrics running.
  for (const observe of [onTTFB, onFCP, onLCP, onCLS, onINP, onFID]) guard(observe)(report);
});
