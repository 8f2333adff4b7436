import { uid } from './lib/uid';
import type { ReportMetric } from './types';

/**
 * First Input Delay, only where the browser cannot measure INP (no Event Timing with
 * `interactionId`): reported under its own name, never mixed into INP.
 */
export const onFID = (report: ReportMetric): void => {
  const timing = (self as { PerformanceEventTiming?: { prototype: object } }).PerformanceEventTiming;
  if (timing && 'interactionId' in timing.prototype) return;
  new PerformanceObserver((list) => {
    const entry = list.getEntries()[0] as PerformanceEventTiming | undefined;
    if (entry) {
      const value = entry.processingStart - entry.startTime;
      report({ name: 'FID', value, delta: value, id: uid() });
    }
  }).observe({ type: 'first-input', buffered: true });
};
