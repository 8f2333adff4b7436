/** Shapes shared by the snippet's modules. Wire keys are the contract in rum_server/transform/wire.py. */

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

/** Requests and transfer bytes, as [count, bytes], by initiator type, content type or host. */
export type RequestCounts = Record<string, [number, number]>;

/** The resource-timing rollup of a page view (readResources); rum.attribution.js only. */
export interface ResourcesEvent {
  t: 'resources';
  ts: number;
  n: number;
  b: number;
  c: number;
  rb: number;
  i: RequestCounts;
  ct: RequestCounts;
  h: RequestCounts;
  s: [string, number][];
}

export type WireEvent = WebVitalEvent | ErrorEvent | PageViewEvent | CustomEvent | ResourcesEvent;

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

/** What an entry file rolls up once per page view, from `from` (performance.now()) on. */
export type ReadRollup = (from: number) => Queued | undefined;

/** The global `window.DECO_RUM` API. */
export interface Api {
  track(name: string, attrs?: object, labels?: object): void;
  identify(userHash: string | null): void;
  consent(granted: boolean): void;
  sha256?(text: string): Promise<string>;
}

/** The queue stub a page may install before the script loads. */
export interface ApiStub {
  q?: [keyof Api, Iterable<unknown>][];
  /** Errors and rejections the early-errors stub caught before the snippet ran. */
  e?: Event[];
}
