import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capBatch } from './.build/errors/capBatch.mjs';
import { readError } from './.build/errors/readError.mjs';

// rum.errors.js sends each queue as one batch; capBatch keeps it within 60,000 bytes.
const LIMIT = 60000;
const bytes = (text) => Buffer.byteLength(text);
const url = 'https://shop.example/' + 'p'.repeat(2048 - 21);
// The largest envelope the snippet sends: url and referrer at their 2,048-character cut,
// config values at the server's limits.
const envelope = {
  v: 1,
  site: 's'.repeat(64),
  url,
  pv: 'k3j4h5g6f7d8s',
  sid: 'a1b2c3d4e5f6g',
  st: 1764450000000,
  route: '/r'.repeat(128),
  ref: url,
  nav: 'back-forward-cache',
  rate: 0.0001,
  sv: '0.1.0',
  ver: 'v'.repeat(64),
  env: 'e'.repeat(64),
  uh: 'f'.repeat(128),
};
const map = (char) => Object.fromEntries(Array.from({ length: 16 }, (_, i) => [i + char.repeat(127), char.repeat(128)]));
const track = (char, i) => ({ t: 'event', ts: i, name: char.repeat(64), attrs: map(char), labels: map(char) });

// Text whose JSON takes the most UTF-8 bytes per character: control characters (escaped as
// \u00XX, 6 bytes), lone surrogates (escaped, 6 bytes), CJK (3 bytes), emoji (4 bytes for 2).
const hostile = [
  ['plain ASCII', 'x'],
  ['quotes and backslashes', '"\\'],
  ['control characters', '\u0001'],
  ['lone surrogates', '\ud800'],
  ['CJK', '漢'],
  ['emoji', '😀'],
];
for (const [name, char] of hostile) {
  test(`capBatch: 200 of the biggest track events in ${name} stay within 60,000 bytes`, () => {
    const events = [{ t: 'page_view', ts: 0 }, ...Array.from({ length: 199 }, (_, i) => track(char, i + 1))];
    const all = structuredClone(events);
    const bodies = capBatch(envelope, events, LIMIT);
    assert.equal(bodies.length, 1);
    assert.ok(bytes(bodies[0]) <= LIMIT, `${bytes(bodies[0])} bytes`);
    const { events: sent, ...rest } = JSON.parse(bodies[0]);
    assert.deepEqual(rest, envelope, 'the full envelope');
    assert.ok(sent.length >= 1, 'the page view at least');
    assert.deepEqual(sent, all.slice(0, sent.length), 'the oldest events, in order');
    // As many as fit: one more would pass the limit.
    if (sent.length < all.length)
      assert.ok(bytes(JSON.stringify({ ...envelope, events: all.slice(0, sent.length + 1) })) > LIMIT);
  });
}

test('capBatch: a page view with 20 distinct errors at their caps (plain text) goes whole', () => {
  const errors = Array.from({ length: 20 }, (_, i) => {
    const stack = 'TypeError: ' + 'm'.repeat(200) + '\n' + '    at render (https://cdn.example/app.js:1:2345)\n'.repeat(100);
    const error = { name: 'E'.repeat(128), message: i + 'm'.repeat(5000), stack };
    const fields = readError({ type: 'unhandledrejection', reason: error, filename: 'https://cdn.example/' + 'f'.repeat(5000) });
    return { t: 'error', ts: i, fp: 'zzzzzzz', n: 1000000, ...fields };
  });
  const events = [{ t: 'page_view', ts: 0 }, ...errors, { t: 'event', ts: 21, name: 'add_to_cart', attrs: { sku: '123' } }];
  const all = structuredClone(events);
  const [body] = capBatch(envelope, events, LIMIT);
  assert.deepEqual(JSON.parse(body).events, all);
  assert.ok(bytes(body) <= LIMIT, `${bytes(body)} bytes`);
});

test('capBatch: an event too big on its own and everything after it are dropped', () => {
  const events = [{ t: 'page_view', ts: 0 }, track('\u0001', 1), { t: 'page_view', ts: 2 }];
  const [body] = capBatch(envelope, events, 20000);
  assert.deepEqual(JSON.parse(body).events, [{ t: 'page_view', ts: 0 }]);
});

test('capBatch: nothing to send, or nothing that fits, gives no body', () => {
  assert.deepEqual(capBatch(envelope, [], LIMIT), []);
  assert.deepEqual(capBatch(envelope, [track('x', 1)], 1000), []);
});
