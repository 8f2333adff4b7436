import type { ErrorFields } from './types';

/** Browser noise that says nothing about the page's own code, and extension frames. */
const NOISE = /Script error\.?$|ResizeObserver loop|-extension:\//;
/**
 * The top "file:line:col" of a stack trace (V8, SpiderMonkey and JavaScriptCore frames).
 * A match starts only at the stack's start or after a separator, so a long run without
 * one (a data URL in a message) is scanned once, not once from each of its characters.
 */
const FRAME = /(?:^|[\s(@])([^\s(@]+):(\d+):(\d+)/;

interface ErrorEventLike {
  type: string;
  message?: string;
  filename?: string;
  lineno?: number;
  colno?: number;
  error?: unknown;
  reason?: unknown;
}

/**
 * The wire fields of an `error` or `unhandledrejection` event, or undefined for noise
 * (bare "Script error.", ResizeObserver loops, anything from a browser extension's files).
 * Type 128, message 2048 and stack 8192 characters at most, as the wire allows; in rum.errors.js,
 * which sends one batch of at most 60 KB, message 500, stack 1,500 and file 300 (capBatch).
 */
export const readError = (event: ErrorEventLike): ErrorFields | undefined => {
  const cause = (event.error || event.reason || {}) as { name?: string; message?: string; stack?: string };
  const msg = '' + (cause.message || event.message || event.reason || '');
  const stack = '' + (cause.stack || '');
  const frame = FRAME.exec(stack) || [];
  const file = event.filename || frame[1] || '';
  if (msg && !NOISE.test(msg + file + stack))
    return {
      msg: msg.slice(0, __ERRORS_ONLY__ ? 500 : 2048),
      // A longer type, like a wire limit passed anywhere, would get the whole batch rejected.
      type: cause.name?.slice(0, 128),
      stack: stack.slice(0, __ERRORS_ONLY__ ? 1500 : 8192),
      src: event.type as ErrorFields['src'],
      file: __ERRORS_ONLY__ ? file.slice(0, 300) : file,
      line: event.lineno || +frame[2]! | 0,
      col: event.colno || +frame[3]! | 0,
    };
};
