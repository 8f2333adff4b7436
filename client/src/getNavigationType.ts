import type { NavigationType } from './types';

/**
 * How this document was reached, named as web-vitals does (bfcache restores and soft
 * navigations are set later, when they happen).
 */
export const getNavigationType = (entry?: PerformanceNavigationTiming & { activationStart?: number }): NavigationType =>
  (document as { prerendering?: boolean }).prerendering || entry?.activationStart! > 0
    ? 'prerender'
    : (document as { wasDiscarded?: boolean }).wasDiscarded
      ? 'restore'
      : ((entry?.type.replace('_', '-') || 'navigate') as NavigationType);
