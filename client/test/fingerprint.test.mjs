import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fingerprint } from './.build/fingerprint.mjs';

const error = (msg, overrides = {}) => ({ type: 'TypeError', msg, file: 'https://shop.example/app.js', line: 10, ...overrides });

const same = [
  ['numbers differ', 'item 42 not found', 'item 43 not found'],
  ['ids differ', 'order 5f2c9a1e-77aa-4bcd-9e0f-0123456789ab failed', 'order 0a1b2c3d-0000-4000-8000-ffffffffffff failed'],
  ['hex ids differ', 'cart deadbeef12 missing', 'cart 00c0ffee99 missing'],
];
for (const [name, a, b] of same) {
  test(`fingerprint: same when ${name}`, () => {
    assert.equal(fingerprint(error(a)), fingerprint(error(b)));
  });
}

const different = [
  ['the words differ', error('x is undefined'), error('y is undefined')],
  ['the type differs', error('boom'), error('boom', { type: 'RangeError' })],
  ['the file differs', error('boom'), error('boom', { file: 'https://shop.example/other.js' })],
  ['the line differs', error('boom'), error('boom', { line: 11 })],
];
for (const [name, a, b] of different) {
  test(`fingerprint: different when ${name}`, () => {
    assert.notEqual(fingerprint(a), fingerprint(b));
  });
}

test('fingerprint: short base-36 text', () => {
  assert.match(fingerprint(error('boom')), /^[0-9a-z]{1,7}$/);
});
