import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readConfig as readConfigErrorsOnly } from './.build/errors/readConfig.mjs';
import { readConfig } from './.build/readConfig.mjs';

// A script tag's `dataset` with these data-* attributes (data-sample-rate is sampleRate).
const read = (attrs) =>
  Object.fromEntries(Object.entries(attrs).map(([name, value]) => [name.replace(/-(\w)/g, (_, c) => c.toUpperCase()), value]));

test('readConfig: nothing without data-site', () => {
  assert.equal(readConfig(read({})), undefined);
  assert.equal(readConfig(read({ site: '', route: '/x' })), undefined);
});

test('readConfig: defaults (absent route, version and env are left out of the JSON)', () => {
  assert.deepEqual(readConfig(read({ site: 'shop' })), {
    _site: 'shop',
    _route: undefined,
    _version: undefined,
    _env: undefined,
    _rate: 1,
    _errorRate: 1,
    _endpoint: '/__deco/rum',
    _consentRequired: false,
    _softNavs: false,
  });
});

test('readConfig: every attribute', () => {
  const config = readConfig(
    read({
      site: 'shop',
      route: '/_products/$slug/p',
      version: '2026.11.29-abc',
      env: 'production',
      'sample-rate': '0.25',
      'error-sample-rate': '1',
      endpoint: 'https://rum.example/__deco/rum',
      consent: 'required',
      'soft-navs': '',
    }),
  );
  assert.deepEqual(config, {
    _site: 'shop',
    _route: '/_products/$slug/p',
    _version: '2026.11.29-abc',
    _env: 'production',
    _rate: 0.25,
    _errorRate: 1,
    _endpoint: 'https://rum.example/__deco/rum',
    _consentRequired: true,
    _softNavs: true,
  });
});

const rates = [
  ['0', 0],
  ['0.1', 0.1],
  ['1', 1],
  ['1.5', 1],
  ['-1', 1],
  ['abc', 1],
  ['', 1],
];
for (const [text, expected] of rates) {
  test(`readConfig: data-sample-rate="${text}" gives ${expected}`, () => {
    const config = readConfig(read({ site: 's', 'sample-rate': text }));
    assert.equal(config._rate, expected);
    assert.equal(config._errorRate, expected, 'the error rate follows the sample rate');
  });
}

test('readConfig: data-soft-navs="false" is off', () => {
  assert.equal(readConfig(read({ site: 's', 'soft-navs': 'false' }))._softNavs, false);
});

test('readConfig: data-consent other than "required" does not gate', () => {
  assert.equal(readConfig(read({ site: 's', consent: 'granted' }))._consentRequired, false);
});

test('readConfig (rum.errors.js): data-soft-navs is ignored (use rum.js for SPAs)', () => {
  assert.equal(readConfigErrorsOnly(read({ site: 's', 'soft-navs': '' }))._softNavs, undefined);
  assert.equal(readConfigErrorsOnly(read({ site: 's', 'soft-navs': 'true' }))._softNavs, undefined);
});
