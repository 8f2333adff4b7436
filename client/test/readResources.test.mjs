import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readResources } from './.build/readResources.mjs';

const entry = (name, fields = {}) => ({
  name,
  initiatorType: 'img',
  startTime: 100,
  duration: 50,
  transferSize: 1000,
  decodedBodySize: 1000,
  contentType: 'image/png',
  renderBlockingStatus: 'non-blocking',
  ...fields,
});

test('readResources: nothing loaded is no event', () => {
  assert.equal(readResources([], 0, 'shop.example'), undefined);
  assert.equal(readResources([entry('https://shop.example/a.png', { startTime: 5 })], 10, 'shop.example'), undefined);
});

test('readResources: totals, maps by initiator, content type and other host, cache hits, render-blocking', () => {
  const event = readResources(
    [
      entry('https://shop.example/a.png?v=1'),
      entry('https://shop.example/b.png', { transferSize: 0, decodedBodySize: 500 }),
      entry('https://cdn.other.example/app.js', {
        initiatorType: 'script',
        contentType: 'text/javascript',
        transferSize: 3000,
        renderBlockingStatus: 'blocking',
        duration: 400,
      }),
      entry('https://shop.example/opaque', { transferSize: 0, decodedBodySize: 0, contentType: '' }),
    ],
    0,
    'shop.example',
  );
  assert.deepEqual(event, {
    t: 'resources',
    n: 4,
    b: 4000,
    c: 1,
    rb: 1,
    i: { img: [3, 1000], script: [1, 3000] },
    ct: { 'image/png': [2, 1000], 'text/javascript': [1, 3000], '': [1, 0] },
    h: { 'cdn.other.example': [1, 3000] },
    s: [
      ['https://cdn.other.example/app.js', 400],
      ['https://shop.example/a.png', 50],
      ['https://shop.example/b.png', 50],
      ['https://shop.example/opaque', 50],
    ],
  });
});

test('readResources: the 5 slowest, query and fragment dropped', () => {
  const entries = Array.from({ length: 8 }, (_, i) => entry(`https://shop.example/p${i}.png?token=secret#x`, { duration: i * 10 }));
  const event = readResources(entries, 0, 'shop.example');
  assert.deepEqual(
    event.s.map(([url]) => url),
    [7, 6, 5, 4, 3].map((i) => `https://shop.example/p${i}.png`),
  );
  assert.ok(!JSON.stringify(event).includes('secret'));
});

test('readResources: maps keep their first 16 keys, the totals count everything', () => {
  const entries = Array.from({ length: 20 }, (_, i) => entry(`https://h${i}.example/x.png`));
  const event = readResources(entries, 0, 'shop.example');
  assert.equal(Object.keys(event.h).length, 16);
  assert.equal(event.n, 20);
  assert.equal(event.b, 20000);
});

test('readResources: only entries of this page view (started at or after `from`)', () => {
  const event = readResources([entry('https://shop.example/old.png', { startTime: 10 }), entry('https://shop.example/new.png', { startTime: 500 })], 400, 'shop.example');
  assert.equal(event.n, 1);
  assert.equal(event.s[0][0], 'https://shop.example/new.png');
});
