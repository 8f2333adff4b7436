import { capBatch } from './capBatch';
import { fingerprint } from './fingerprint';
import { getNavigationType } from './getNavigationType';
import { isSampled } from './isSampled';
import { guard } from './lib/guard';
import { uid } from './lib/uid';
import { readConfig } from './readConfig';
import { readError } from './readError';
import { readPageContext } from './readPageContext';
import { rotateSession } from './rotateSession';
import { sendBatch } from './sendBatch';
import { splitBatch } from './splitBatch';
import { toSmallMap } from './toSmallMap';
import type { Api, ApiStub, ErrorEvent, NavigationType, ObserveVitals, Queued, WireEvent } from './types';

declare const __SNIPPET_VERSION__: string;

/**
 * Starts the snippet: reads the script tag's configuration, queues page views, errors,
 * Web Vitals (through `observeVitals`, absent in the errors-only build) and custom events,
 * and beacons the queue when the page is hidden. Nothing it does may throw into the page:
 * the start is one try/catch and every listener, callback and API method is guarded.
 */
export const start = (observeVitals?: ObserveVitals): void => {
  try {
    const script = document.currentScript || document.querySelector('script[data-site]');
    const config = script && readConfig(script.dataset);
    const stub = (window as { DECO_RUM?: ApiStub }).DECO_RUM;
    // Without data-site, or when a snippet already runs on this page (a stub has a queue), do nothing.
    if (!config || (stub && !stub.q)) return;

    const navigationEntry = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    // rum.errors.js sends no trace or request ids (docs/snippet.md).
    const context = __ERRORS_ONLY__
      ? undefined
      : readPageContext(
          (name) => document.querySelector<HTMLMetaElement>('meta[name=' + name + ']')?.content,
          navigationEntry?.serverTiming,
        );
    // Errors share the queue unless data-error-sample-rate differs; then they travel in
    // batches of their own, each batch naming the rate its events were kept at.
    const queue: WireEvent[] = [];
    const errorQueue: WireEvent[] = config._errorRate == config._rate ? queue : [];
    // sessionStorage, or memory where storage is blocked; used only once consent is given.
    let storage: { deco_rum?: string } = {};
    let consent: boolean | undefined = !config._consentRequired || undefined;
    let pageView: string;
    let navigation = getNavigationType(navigationEntry);
    let route = config._route;
    let referrer = document.referrer;
    let userHash: string | undefined;
    let errors: Record<string, ErrorEvent>;
    let errorCount: number;
    const on = (type: string, listener: (event: never) => unknown, capture?: boolean) =>
      addEventListener(type, guard(listener) as EventListener, capture);
    try {
      storage = sessionStorage as typeof storage;
    } catch {
      // storage blocked: the session lives in memory
    }

    // The session id, its idle clock reset on every use.
    const sessionId = (): string => {
      const session = rotateSession(storage.deco_rum, Date.now(), uid());
      try {
        storage.deco_rum = session;
      } catch {
        // storage full
      }
      return session.split('.')[0]!;
    };

    const push = (target: WireEvent[], event: Queued) => {
      event.ts = Date.now();
      // rum.errors.js sends one batch a queue, and the server takes 200 events at most.
      if (consent != false && target.length < (__ERRORS_ONLY__ ? 200 : 500)) target.push(event as WireEvent);
      if (consent) sessionId();
    };

    const send = (events: WireEvent[], rate: number) => {
      const sid = sessionId();
      const sending = events.splice(0);
      if (isSampled(sid, rate))
        for (const body of (__ERRORS_ONLY__ ? capBatch : splitBatch)(
          {
            v: 1,
            site: config._site,
            url: location.href.slice(0, 2048),
            pv: pageView,
            sid,
            st: Date.now(),
            route,
            ref: referrer.slice(0, 2048),
            nav: navigation,
            rate,
            // rum.errors.js leaves out the viewport and the connection type (docs/snippet.md).
            ...(!__ERRORS_ONLY__ && {
              vp: innerWidth + 'x' + innerHeight,
              conn: (navigator as { connection?: { effectiveType?: string } }).connection?.effectiveType,
            }),
            sv: __SNIPPET_VERSION__,
            ver: config._version,
            env: config._env,
            uh: userHash,
            ...(!__ERRORS_ONLY__ && context),
          },
          sending,
          6e4,
        ))
          sendBatch(config._endpoint, body);
    };

    const flush = () => {
      if (consent) {
        send(queue, config._rate);
        send(errorQueue, config._errorRate);
      }
    };

    const startPageView = (type?: NavigationType) => {
      if (type) {
        flush();
        navigation = type;
      }
      pageView = uid();
      errors = {};
      errorCount = 0;
      push(queue, { t: 'page_view' });
    };

    // A repeated error is counted, not resent; once sent, a repeat sends it again with its new total.
    const reportError = (event: Event) => {
      const fields = readError(event);
      if (fields) {
        const fp = fingerprint(fields);
        const known = errors[fp];
        if (known) {
          known.n++;
          if (!errorQueue.includes(known)) push(errorQueue, known);
        } else if (errorCount++ < 20) push(errorQueue, (errors[fp] = { t: 'error', fp, n: 1, ...fields } as ErrorEvent));
      }
    };

    const api: Api = {
      track: guard((name, attrs, labels) =>
        push(queue, { t: 'event', name: ('' + name).slice(0, 64), attrs: toSmallMap(attrs), labels: toSmallMap(labels) }),
      ),
      identify: guard((hashHex) => {
        if (/^[\da-f]{8,128}$/i.test(hashHex)) userHash = hashHex;
      }),
      consent: guard((granted) => {
        if (!(consent = !!granted)) queue.length = errorQueue.length = 0;
      }),
    };

    startPageView();
    on('error', reportError);
    on('unhandledrejection', reportError);
    // A bfcache restore is a new page view. This capture listener is added before web-vitals'
    // own, so the restored page's metrics land in the new page view.
    on('pageshow', (event: PageTransitionEvent) => event.persisted && startPageView('back-forward-cache'), true);
    observeVitals?.((event) => push(queue, event));
    // Flush after web-vitals has reported: its visibilitychange listeners capture on window,
    // these listen in the bubbling phase, so they run after it (web-vitals#500).
    on('visibilitychange', () => document.visibilityState == 'hidden' && flush());
    on('pagehide', flush);

    if (!__ERRORS_ONLY__ && config._softNavs) {
      // A new page view when the URL changes, fragment aside (in-page anchors fire popstate too).
      const page = () => location.href.split('#')[0]!;
      let url = page();
      const onUrlChange = guard(() => {
        if (page() != url) {
          referrer = url;
          url = page();
          route = '';
          startPageView('soft-navigation');
        }
      });
      const pushState = history.pushState;
      history.pushState = function (...args) {
        pushState.apply(this, args);
        onUrlChange();
      };
      on('popstate', onUrlChange);
    }

    (window as { DECO_RUM?: Api }).DECO_RUM = api;
    for (const [method, args] of stub?.q || []) (api[method] as (...a: unknown[]) => void)(...args);
  } catch {
    // the snippet never throws into the page
  }
};
