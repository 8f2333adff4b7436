import { toSmallMap } from './toSmallMap';
import type { MetricReport, WebVitalEvent } from './types';

/**
 * The wire event for one report of a metric: its latest value and its delta, milliseconds
 * rounded to 0.1 ms and CLS to 4 decimals, with web-vitals' attribution (if any) as `attr`.
 */
export const toWebVital = (metric: MetricReport, attribution?: object): Omit<WebVitalEvent, 'ts'> => {
  const scale = metric.name == 'CLS' ? 1e4 : 10;
  const round = (value: number) => Math.round(value * scale) / scale;
  return { t: 'web_vital', name: metric.name, v: round(metric.value), d: round(metric.delta), id: metric.id, attr: toSmallMap(attribution) };
};
