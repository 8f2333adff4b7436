/** rum.attribution.js: as rum.js, with web-vitals' attribution sent in each event's `attr` map. */
import { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals/attribution';
import type { MetricWithAttribution } from 'web-vitals/attribution';
import { onFID } from './onFID';
import { start } from './start';

start((report) => {
  const withAttribution = (metric: MetricWithAttribution) => report(metric, metric.attribution);
  for (const observe of [onTTFB, onFCP, onLCP, onCLS, onINP] as ((cb: typeof withAttribution) => void)[]) {
    try {
      observe(withAttribution);
    } catch (e) {
      // an API this browser lacks: the other metrics still run
    }
  }
  try {
    onFID(report);
  } catch (e) {
    // no first-input entries here
  }
});
