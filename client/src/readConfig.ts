import type { Config } from './types';

const rateOf = (text: string | undefined, fallback: number): number => {
  const rate = parseFloat(text!);
  return rate >= 0 && rate <= 1 ? rate : fallback;
};

/**
 * The configuration from the script tag's `data-*` attributes (its `dataset`: `data-site`
 * is `site`, `data-sample-rate` is `sampleRate`). Without `data-site` the snippet does
 * nothing, so this returns undefined. An absent route, version or env stays undefined: it
 * is left out of the JSON and the server takes its default, "".
 */
export const readConfig = (data: Record<string, string | undefined>): Config | undefined => {
  const rate = rateOf(data.sampleRate, 1);
  if (data.site)
    return {
      _site: data.site,
      _route: data.route,
      _version: data.version,
      _env: data.env,
      _rate: rate,
      _errorRate: rateOf(data.errorSampleRate, rate),
      _endpoint: data.endpoint || '/__deco/rum',
      _consentRequired: data.consent == 'required',
      // rum.errors.js ignores data-soft-navs (docs/snippet.md: use rum.js for SPAs).
      ...(!__ERRORS_ONLY__ && { _softNavs: data.softNavs != null && data.softNavs != 'false' }),
    };
};
