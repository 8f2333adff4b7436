import assert from 'node:assert/strict';
import { test } from 'node:test';
import { warnOnce } from './.build/lib/warnOnce.mjs';

test('warnOnce: one console.warn per distinct mistake', (t) => {
  const warn = t.mock.method(console, 'warn', () => {});
  warnOnce('event name', 'Add To Cart');
  warnOnce('event name', 'Add-To-Cart');
  warnOnce('more than 4 labels', {});
  warnOnce('event name', 'x y');
  assert.equal(warn.mock.callCount(), 2);
  assert.match(warn.mock.calls[0].arguments[0], /event name/);
  assert.match(warn.mock.calls[1].arguments[0], /more than 4 labels/);
});
