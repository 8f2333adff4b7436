import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readPageContext } from './.build/readPageContext.mjs';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const metas = (tags) => (name) => tags[name] ?? null;
// What reaches the wire: keys whose value is undefined vanish from the JSON envelope.
const onTheWire = (context) => JSON.parse(JSON.stringify(context));

const cases = [
  ['nothing on the page', {}, [], {}],
  ['meta tags', { traceparent: TP, 'request-id': 'req-1', 'cf-ray': 'ray-1' }, [], { tp: TP, rid: 'req-1', ray: 'ray-1' }],
  [
    'Server-Timing entries',
    {},
    [{ name: 'traceparent', description: TP }, { name: 'reqid', description: 'req-2' }, { name: 'cfray', description: 'ray-2' }, { name: 'db', description: '' }],
    { tp: TP, rid: 'req-2', ray: 'ray-2' },
  ],
  ['meta tags win over Server-Timing', { 'request-id': 'meta' }, [{ name: 'reqid', description: 'timing' }], { rid: 'meta' }],
  ['an invalid traceparent is left out', { traceparent: '00-xyz' }, [], {}],
  ['an upper-case traceparent is left out (W3C is lower-case hex)', { traceparent: TP.toUpperCase() }, [], {}],
  ['long ids are cut to 128', { 'request-id': 'r'.repeat(300) }, [], { rid: 'r'.repeat(128) }],
];
for (const [name, tags, timings, expected] of cases) {
  test(`readPageContext: ${name}`, () => {
    assert.deepEqual(onTheWire(readPageContext(metas(tags), timings)), expected);
  });
}

test('readPageContext: no Server-Timing list at all', () => {
  assert.deepEqual(onTheWire(readPageContext(metas({}), undefined)), {});
});
