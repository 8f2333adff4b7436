import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitBatch } from './.build/splitBatch.mjs';

const envelope = { v: 1, site: 'shop', pv: 'p1', sid: 's1' };
const event = (i, size = 10) => ({ t: 'event', ts: i, name: 'e', attrs: { x: 'y'.repeat(size) } });
const bytes = (text) => Buffer.byteLength(text);

test('splitBatch: a small queue is one body with the envelope', () => {
  const events = [event(1), event(2)];
  assert.deepEqual(
    splitBatch(envelope, events, 60000).map((b) => JSON.parse(b)),
    [{ ...envelope, events }],
  );
});

test('splitBatch: nothing to send gives no body', () => {
  assert.deepEqual(splitBatch(envelope, [], 60000), []);
});

test('splitBatch: big queues split below the byte limit, each with the full envelope, order kept', () => {
  const events = Array.from({ length: 40 }, (_, i) => event(i, 5000));
  const bodies = splitBatch(envelope, events, 60000);
  assert.ok(bodies.length >= 4, `${bodies.length} bodies`);
  for (const body of bodies) {
    assert.ok(bytes(body) <= 60000, `${bytes(body)} bytes`);
    const { events: part, ...rest } = JSON.parse(body);
    assert.deepEqual(rest, envelope);
  }
  assert.deepEqual(bodies.flatMap((b) => JSON.parse(b).events), events);
});

test('splitBatch: the limit counts UTF-8 bytes, not characters', () => {
  const events = Array.from({ length: 10 }, (_, i) => ({ t: 'event', ts: i, name: 'é'.repeat(60) + '€'.repeat(60) }));
  for (const body of splitBatch(envelope, events, 1000)) assert.ok(bytes(body) <= 1000, `${bytes(body)} bytes`);
});

test('splitBatch: at most 200 events a batch (the server limit)', () => {
  const events = Array.from({ length: 450 }, (_, i) => ({ t: 'page_view', ts: i }));
  const sizes = splitBatch(envelope, events, 60000).map((b) => JSON.parse(b).events.length);
  assert.deepEqual(sizes, [200, 200, 50]);
});

test('splitBatch: an event bigger than the limit on its own goes alone, in order', () => {
  const events = [event(1), event(2, 3000), event(3)];
  assert.deepEqual(
    splitBatch(envelope, events, 1000).map((b) => JSON.parse(b).events),
    [[events[0]], [events[1]], [events[2]]],
  );
});
