import type { Config } from './types';

const rateOf = (text: string | null, fallback: number): number => {
  const rate = parseFloat(text!);
  return rate >= 0 && rate <= 1 ? rate : fallback;
};

/**
 * The configuration from the script tag's `data-*` attributes (`read('site')` reads
 * `data-site`). Without `data-site` the snippet does nothing, so this returns undefined.
 */
export const readConfig = (read: (name: string) => string | null): Config | undefined => {
  const site = read('site');
  if (!site) return;
  const rate = rateOf(read('sample-rate'), 1);
  const softNavs = read('soft-navs');
  return {
    _site: site,
    _route: read('route') || '',
    _version: read('version') || '',
    _env: read('env') || '',
    _rate: rate,
    _errorRate: rateOf(read('error-sample-rate'), rate),
    _endpoint: read('endpoint') || '/__deco/rum',
    _consentRequired: read('consent') == 'required',
    _softNavs: softNavs != null && softNavs != 'false',
  };
};
