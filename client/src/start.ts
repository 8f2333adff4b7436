import { checkEvent } from './checkEvent';
import { getNavigationType } from './getNavigationType';
import { isSampled } from './isSampled';
import { guard } from './lib/guard';
import { fingerprint } from './fingerprint';
import { on } from './lib/on';
import { onBFCacheRestore } from './lib/onBFCacheRestore';
import { onHidden } from './lib/onHidden';
import { onSoftNavigation } from './lib/onSoftNavigation';
import { openStorage } from './lib/openStorage';
import { sendQueue } from './lib/sendQueue';
import { sha256 } from './lib/sha256';
import { touchSession } from './lib/touchSession';
import { uid } from './lib/uid';
import { warnOnce } from './lib/warnOnce';
import { readConfig } from './readConfig';
import { readError } from './readError';
import { readPageContext } from './readPageContext';
import { toSmallMap } from './toSmallMap';
import type { Api, ApiStub, ErrorEvent, NavigationType, ObserveVitals, Queued, ReadRollup, WireEvent } from './types';

declare const __SNIPPET_VERSION__: string;

/**
 * Starts the snippet: reads the script tag's configuration, queues page views, errors,
 * Web Vitals (through `observeVitals`, absent in the errors-only build), custom events and,
 * once per page view, the rollup `readRollup` makes (rum.attribution.js: resource timing),
 * and beacons the queue when the page is hidden. This file holds the page view's state and
 * wires the lifecycle helpers of lib/ to it. Nothing it does may throw into the page: the
 * start is one try/catch and every listener, callback and API method is guarded.
 */
export const start = (observeVitals?: ObserveVitals, readRollup?: ReadRollup): void => {
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
    // Used only once consent is given.
    const storage = openStorage();
    let consent: boolean | undefined = !config._consentRequired || undefined;
    let pageView: string;
    let navigation = getNavigationType(navigationEntry);
    let route = config._route;
    let referrer = document.referrer;
    let userHash: string | undefined;
    let errors: Record<string, ErrorEvent>;
    let errorCount: number;
    // When the page view started (performance.now()), and whether its rollup was queued.
    let rollupFrom = 0;
    let rolledUp: boolean;

    const push = (target: WireEvent[], event: Queued) => {
      event.ts = Date.now();
      // rum.errors.js sends one batch a queue, and the server takes 200 events at most.
      if (consent != false && target.length < (__ERRORS_ONLY__ ? 200 : 500)) target.push(event as WireEvent);
      if (consent) touchSession(storage);
    };

    const send = (events: WireEvent[], rate: number) => {
      const sid = touchSession(storage);
      const sending = events.splice(0);
      if (isSampled(sid, rate))
        sendQueue(
          config._endpoint,
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
        );
    };

    const flush = () => {
      if (consent) {
        if (__ROLLUP__ && !rolledUp) {
          rolledUp = true;
          guard(() => {
            const rollup = readRollup!(rollupFrom);
            if (rollup) push(queue, rollup);
          })();
        }
        send(queue, config._rate);
        send(errorQueue, config._errorRate);
      }
    };

    const startPageView = (type?: NavigationType) => {
      if (type) {
        flush();
        navigation = type;
        if (__ROLLUP__) rollupFrom = performance.now();
      }
      if (__ROLLUP__) rolledUp = false;
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
      // An invalid call is dropped (a warning in the development build); rum.errors.js only
      // cuts the name, and leaves the checks to the server (docs/snippet.md).
      track: guard((name, attrs, labels) => {
        const mistake = !__ERRORS_ONLY__ && checkEvent(name, labels);
        if (!mistake)
          push(queue, { t: 'event', name: __ERRORS_ONLY__ ? ('' + name).slice(0, 64) : name, attrs: toSmallMap(attrs), labels: toSmallMap(labels) });
        else if (__DEV__) warnOnce(mistake, [name, attrs, labels]);
      }),
      // Only a SHA-256 in lowercase hex; null (logout) stops sending it.
      identify: guard((hashHex) => {
        if (hashHex == null || /^[\da-f]{64}$/.test(hashHex)) userHash = hashHex || undefined;
        else if (__DEV__) warnOnce('identify takes a SHA-256 as 64 lowercase hex characters: DECO_RUM.sha256(text)', hashHex);
      }),
      consent: guard((granted) => {
        if (!(consent = !!granted)) queue.length = errorQueue.length = 0;
      }),
    };
    // rum.errors.js leaves the hashing helper out (docs/snippet.md).
    if (!__ERRORS_ONLY__) api.sha256 = sha256;

    startPageView();
    on('error', reportError);
    on('unhandledrejection', reportError);
    // What the early-errors stub caught before this ran, reported like any other (the stub
    // stops once window.DECO_RUM is no longer its own object, below).
    for (const event of stub?.e || []) reportError(event);
    // A bfcache restore is a new page view.
    onBFCacheRestore(() => startPageView('back-forward-cache'));
    observeVitals?.((event) => push(queue, event));
    // Flush after web-vitals has reported (onHidden listens in the bubbling phase).
    onHidden(flush);

    if (!__ERRORS_ONLY__ && config._softNavs)
      onSoftNavigation((previousUrl) => {
        referrer = previousUrl;
        route = '';
        startPageView('soft-navigation');
      });

    (window as { DECO_RUM?: Api }).DECO_RUM = api;
    for (const [method, args] of stub?.q || []) (api[method] as (...a: unknown[]) => void)(...args);
  } catch {
    // the snippet never throws into the page
  }
};
