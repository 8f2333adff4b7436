import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSampled } from './.build/isSampled.mjs';

const ids = Array.from({ length: 2000 }, (_, i) => 'session' + i.toString(36));

test('isSampled: rate 1 keeps every session, rate 0 none', () => {
  assert.ok(ids.every((id) => isSampled(id, 1)));
  assert.ok(ids.every((id) => !isSampled(id, 0)));
});

test('isSampled: the same session always gets the same answer', () => {
  for (const id of ids.slice(0, 50)) assert.equal(isSampled(id, 0.3), isSampled(id, 0.3));
});

for (const rate of [0.1, 0.25, 0.5, 0.9]) {
  test(`isSampled: about ${rate * 100}% of sessions kept at rate ${rate}`, () => {
    const kept = ids.filter((id) => isSampled(id, rate)).length / ids.length;
    assert.ok(Math.abs(kept - rate) < 0.05, `kept ${kept}`);
  });
}

test('isSampled: a session kept at a rate is kept at every higher rate (nested samples)', () => {
  for (const id of ids) if (isSampled(id, 0.1)) assert.ok(isSampled(id, 0.5));
});
