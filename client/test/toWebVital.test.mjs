import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toWebVital } from './.build/toWebVital.mjs';

const cases = [
  ['milliseconds are rounded to 0.1 ms', { name: 'LCP', value: 1234.5678, delta: 1234.5678, id: 'v6-1' }, undefined, { v: 1234.6, d: 1234.6 }],
  ['CLS keeps 4 decimals', { name: 'CLS', value: 0.123456, delta: 0.023456, id: 'v6-2' }, undefined, { v: 0.1235, d: 0.0235 }],
  ['a negative delta stays negative', { name: 'INP', value: 80, delta: -24.04, id: 'v6-3' }, undefined, { v: 80, d: -24 }],
];
for (const [name, metric, attribution, expected] of cases) {
  test(`toWebVital: ${name}`, () => {
    assert.deepEqual(toWebVital(metric, attribution), { t: 'web_vital', name: metric.name, id: metric.id, attr: undefined, ...expected });
  });
}

test('toWebVital: attribution becomes a SmallMap of its scalar fields', () => {
  const event = toWebVital(
    { name: 'LCP', value: 100, delta: 100, id: 'v6-4' },
    { target: 'html>body>img', timeToFirstByte: 12.345678, lcpEntry: { startTime: 1 } },
  );
  assert.deepEqual(event.attr, { target: 'html>body>img', timeToFirstByte: '12.3457' });
});
