import type { PageContext } from './types';

/**
 * Trace and request ids of the document, so rows join the server's traces and logs:
 * `<meta name="traceparent|request-id|cf-ray">` (through `meta`), else the navigation
 * entry's Server-Timing (`traceparent;desc=…`, `reqid;desc=…`, `cfray;desc=…`). An invalid
 * traceparent is left out (the server would reject the whole batch).
 */
export const readPageContext = (
  meta: (name: string) => string | null | undefined,
  timings: readonly { name: string; description: string }[] = [],
): PageContext => {
  const context: PageContext = {};
  for (const [key, metaName, timingName] of [
    ['tp', 'traceparent', 'traceparent'],
    ['rid', 'request-id', 'reqid'],
    ['ray', 'cf-ray', 'cfray'],
  ] as const) {
    const text = meta(metaName) || (timings.find((t) => t.name == timingName) || ({} as { description?: string })).description;
    if (text) context[key] = text.slice(0, 128);
  }
  if (!/^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/.test(context.tp!)) delete context.tp;
  return context;
};
