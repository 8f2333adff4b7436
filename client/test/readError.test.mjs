import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readError as readErrorsOnly } from './.build/errors/readError.mjs';
import { readError } from './.build/readError.mjs';

const v8Stack = 'TypeError: x is undefined\n    at addToCart (https://shop.example/app.js:12:34)\n    at HTMLButtonElement.<anonymous> (https://shop.example/app.js:40:5)';
const firefoxStack = 'addToCart@https://shop.example:8080/app.js:12:34\n@https://shop.example:8080/app.js:40:5';

test('readError: an error event', () => {
  const error = { name: 'TypeError', message: 'x is undefined', stack: v8Stack };
  assert.deepEqual(
    readError({ type: 'error', message: 'Uncaught TypeError: x is undefined', filename: 'https://shop.example/app.js', lineno: 12, colno: 34, error }),
    { msg: 'x is undefined', type: 'TypeError', stack: v8Stack, src: 'error', file: 'https://shop.example/app.js', line: 12, col: 34 },
  );
});

test('readError: a rejection with an Error takes file and line from the top frame', () => {
  const reason = { name: 'Error', message: 'checkout failed', stack: firefoxStack };
  assert.deepEqual(readError({ type: 'unhandledrejection', reason }), {
    msg: 'checkout failed',
    type: 'Error',
    stack: firefoxStack,
    src: 'unhandledrejection',
    file: 'https://shop.example:8080/app.js',
    line: 12,
    col: 34,
  });
});

test('readError: a rejection with a plain value', () => {
  assert.deepEqual(readError({ type: 'unhandledrejection', reason: 'nope' }), {
    msg: 'nope',
    type: undefined,
    stack: '',
    src: 'unhandledrejection',
    file: '',
    line: 0,
    col: 0,
  });
});

const noise = [
  ['a bare cross-origin "Script error."', { type: 'error', message: 'Script error.', filename: '', lineno: 0, colno: 0, error: null }],
  ['"Uncaught Script error"', { type: 'error', message: 'Uncaught Script error', error: null }],
  ['a ResizeObserver loop', { type: 'error', message: 'ResizeObserver loop completed with undelivered notifications.' }],
  ['a Chrome extension file', { type: 'error', message: 'boom', filename: 'chrome-extension://abc/content.js', lineno: 1 }],
  ['a Firefox extension frame', { type: 'unhandledrejection', reason: { message: 'boom', stack: 'f@moz-extension://abc/x.js:1:2' } }],
  ['no message at all', { type: 'error', message: '' }],
];
for (const [name, event] of noise) {
  test(`readError: ignores ${name}`, () => {
    assert.equal(readError(event), undefined);
  });
}

test('readError: long messages and stacks are cut to the wire limits', () => {
  const error = { name: 'Error', message: 'm'.repeat(5000), stack: 's'.repeat(20000) };
  const fields = readError({ type: 'error', message: 'x', error });
  assert.equal(fields.msg.length, 2048);
  assert.equal(fields.stack.length, 8192);
});

test('readError (rum.errors.js): message 500, stack 1,500 and file 300 characters at most', () => {
  const error = { name: 'Error', message: 'm'.repeat(5000), stack: 's'.repeat(20000) };
  const fields = readErrorsOnly({ type: 'error', message: 'x', filename: 'f'.repeat(5000), error });
  assert.equal(fields.msg.length, 500);
  assert.equal(fields.stack.length, 1500);
  assert.equal(fields.file.length, 300);
});

test('readError: the type is cut at 128 characters (a longer one would get the batch rejected)', () => {
  const fields = readError({ type: 'unhandledrejection', reason: { name: 'E'.repeat(300), message: 'x' } });
  assert.equal(fields.type, 'E'.repeat(128));
});

const longRuns = [
  ['a message without spaces (a data URL)', 'Error: data:' + 'A'.repeat(100000)],
  ['colons and digits', 'x:1'.repeat(30000)],
  ['separators only', '('.repeat(100000)],
];
for (const [name, stack] of longRuns) {
  test(`readError: a 100,000-character stack of ${name} is read at once (no quadratic frame search)`, () => {
    const started = performance.now();
    readError({ type: 'unhandledrejection', reason: { message: 'x', stack } });
    // Scanning from every character took about 18 s here; one pass takes a few ms.
    assert.ok(performance.now() - started < 500, `${performance.now() - started} ms`);
  });
}

test('readError: the top frame is found after a long first line', () => {
  const stack = 'Error: ' + 'A'.repeat(5000) + '\n    at f (https://shop.example/app.js:7:9)';
  const fields = readError({ type: 'unhandledrejection', reason: { message: 'x', stack } });
  assert.deepEqual([fields.file, fields.line, fields.col], ['https://shop.example/app.js', 7, 9]);
});
