/** rum.js: Web Vitals (web-vitals, standard build), errors, page views, the API, transport. */
import { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals';
import { onFID } from './onFID';
import { start } from './start';

start((report) => {
  for (const observe of [onTTFB, onFCP, onLCP, onCLS, onINP, onFID]) {
    try {
      observe(report);
    } catch (e) {
      // an API this browser lacks: the other metrics still run
    }
  }
});
