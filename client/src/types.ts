/** Shapes shared by the snippet's modules. Wire keys are the contract in rum_server/wire.py. */

/** The script tag's `data-*` configuration. `_`-prefixed names are mangled by the build. */
export interface Config {
  _site: string;
  _route?: string;
  _version?: string;
  _env?: string;
  _rate: number;
  _errorRate: number;
  _endpoint: string;
  _consentRequired: boolean;
  /** Absent in rum.errors.js, which ignores data-soft-navs. */
  _softNavs?: boolean;
}

export type NavigationType =
  | 'navigate'
  | 'reload'
  | 'back-forward'
  | 'back-forward-cache'
  | 'prerender'
  | 'restore'
  | 'soft-navigation';

export type StringMap = Record<string, string>;

export interface WebVitalEvent {
  t: 'web_vital';
  ts: number;
  name: string;
  v: number;
  id: string;
  d: number;
  attr?: StringMap;
}

export interface ErrorFields {
  msg: string;
  type?: string;
  stack: string;
  src: 'error' | 'unhandledrejection';
  file: string;
  line: number;
  col: number;
}

export interface ErrorEvent extends ErrorFields {
  t: 'error';
  ts: number;
  fp: string;
  n: number;
}

export interface PageViewEvent {
  t: 'page_view';
  ts: number;
}

export interface CustomEvent {
  t: 'event';
  ts: number;
  name: string;
  attrs?: StringMap;
  labels?: StringMap;
}

export type WireEvent = WebVitalEvent | ErrorEvent | PageViewEvent | CustomEvent;

/** Page context read once from meta tags or the navigation entry's Server-Timing. */
export interface PageContext {
  tp?: string;
  rid?: string;
  ray?: string;
}

/** What a metric callback hands to the snippet (web-vitals' Metric, or our FID). */
export interface MetricReport {
  name: string;
  value: number;
  delta: number;
  id: string;
}

export type ReportMetric = (metric: MetricReport, attribution?: object) => void;

/** An event as queued: the snippet stamps `ts` when it queues it. */
export type Queued = WireEvent extends infer E ? (E extends WireEvent ? Omit<E, 'ts'> & { ts?: number } : never) : never;

/**
 * An entry file's way of starting web-vitals (absent in the errors-only build, so none of
 * the metric code is in it): `push` queues an event in the current page view.
 */
export type ObserveVitals = (push: (event: Queued) => void) => void;

/** The global `window.DECO_RUM` API. */
export interface Api {
  track(name: string, attrs?: object, labels?: object): void;
  identify(userHash: string): void;
  consent(granted: boolean): void;
}

/** The queue stub a page may install before the script loads. */
export interface ApiStub {
  q?: [keyof Api, Iterable<unknown>][];
}
