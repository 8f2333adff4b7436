import { on } from './on';

/**
 * Calls `callback` each time the page is hidden (`visibilitychange` → hidden) and on
 * `pagehide`. Both listen in the bubbling phase: web-vitals reports CLS, INP and LCP from
 * `visibilitychange` listeners that capture on window, so theirs run first and their reports
 * are queued before the callback sends the queue (web-vitals#500).
 */
export const onHidden = (callback: () => void): void => {
  on('visibilitychange', () => document.visibilityState == 'hidden' && callback());
  on('pagehide', callback);
};
