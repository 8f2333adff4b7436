import type { PageContext } from './types';

/**
 * Trace and request ids of the document, so rows join the server's traces and logs:
 * `<meta name="traceparent|request-id|cf-ray">`, else the navigation entry's Server-Timing
 * (`traceparent;desc=…`, `reqid;desc=…`, `cfray;desc=…`). An invalid traceparent is left
 * out (the server would reject the whole batch).
 */
export const readPageContext = (timings: readonly PerformanceServerTiming[] = []): PageContext => {
  const context: PageContext = {};
  for (const [key, meta, timing] of [
    ['tp', 'traceparent', 'traceparent'],
    ['rid', 'request-id', 'reqid'],
    ['ray', 'cf-ray', 'cfray'],
  ] as const) {
    const value = (
      document.querySelector<HTMLMetaElement>('meta[name="' + meta + '"]') ||
      timings.find((t) => t.name == timing) ||
      {}
    ) as { content?: string; description?: string };
    const text = value.content || value.description;
    if (text) context[key] = text.slice(0, 128);
  }
  if (!/^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/.test(context.tp!)) delete context.tp;
  return context;
};
