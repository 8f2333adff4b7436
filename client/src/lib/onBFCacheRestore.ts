import { on } from './on';

/**
 * Calls `callback` when the page is restored from the back/forward cache. The listener
 * captures, and is added before web-vitals' own, so the restored page's metrics land in
 * whatever the callback starts (a new page view).
 */
export const onBFCacheRestore = (callback: () => void): void =>
  on('pageshow', (event: PageTransitionEvent) => event.persisted && callback(), true);
