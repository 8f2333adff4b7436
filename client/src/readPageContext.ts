import type { PageContext } from './types';

/**
 * Trace and request ids of the document, so rows join the server's traces and logs:
 * `<meta name="traceparent|request-id|cf-ray">` (through `meta`), else the navigation
 * entry's Server-Timing (`traceparent;desc=…`, `reqid;desc=…`, `cfray;desc=…`). An invalid
 * traceparent is left out (the server would reject the whole batch); so is what is missing
 * (undefined values vanish from the JSON).
 */
export const readPageContext = (
  meta: (name: string) => string | null | undefined,
  timings: readonly { name: string; description: string }[] = [],
): PageContext => {
  const read = (metaName: string, timingName: string) =>
    (meta(metaName) || timings.find((t) => t.name == timingName)?.description)?.slice(0, 128);
  const tp = read('traceparent', 'traceparent');
  return {
    tp: /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/.test(tp!) ? tp : undefined,
    rid: read('request-id', 'reqid'),
    ray: read('cf-ray', 'cfray'),
  };
};
