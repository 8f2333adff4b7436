import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toSmallMap } from './.build/toSmallMap.mjs';

const cases = [
  ['nothing', undefined, undefined],
  ['null', null, undefined],
  ['an empty object', {}, undefined],
  ['strings and numbers become strings', { a: 'x', b: 2, c: 0, d: true }, { a: 'x', b: '2', c: '0', d: 'true' }],
  ['numbers keep at most 4 decimals', { ms: 163.80000000004657, cls: 0.06051432291666667, n: 1086 }, { ms: '163.8', cls: '0.0605', n: '1086' }],
  ['objects, null and undefined are left out', { a: { b: 1 }, c: null, d: undefined, e: [1], f: 'ok' }, { f: 'ok' }],
  ['long keys and values are cut to 128', { ['k'.repeat(200)]: 'v'.repeat(200) }, { ['k'.repeat(128)]: 'v'.repeat(128) }],
];
for (const [name, source, expected] of cases) {
  test(`toSmallMap: ${name}`, () => {
    assert.deepEqual(toSmallMap(source), expected);
  });
}

test('toSmallMap: at most 16 entries', () => {
  const source = Object.fromEntries(Array.from({ length: 30 }, (_, i) => ['k' + i, i]));
  assert.equal(Object.keys(toSmallMap(source)).length, 16);
});
