import type { ErrorFields } from './types';

/** Browser noise that says nothing about the page's own code, and extension frames. */
const NOISE = /Script error\.?$|ResizeObserver loop|-extension:\//;
/** The top "file:line:col" of a stack trace (V8, SpiderMonkey and JavaScriptCore frames). */
const FRAME = /([^\s(@]+):(\d+):(\d+)/;

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
 * Message 2048 and stack 8192 characters at most, as the wire allows.
 */
export const readError = (event: ErrorEventLike): ErrorFields | undefined => {
  const cause = (event.error || event.reason || {}) as { name?: string; message?: string; stack?: string };
  const msg = '' + (cause.message || event.message || event.reason || '');
  const stack = '' + (cause.stack || '');
  const frame = FRAME.exec(stack) || [];
  const file = event.filename || frame[1] || '';
  if (msg && !NOISE.test(msg + file + stack))
    return {
      msg: msg.slice(0, 2048),
      type: cause.name,
      stack: stack.slice(0, 8192),
      src: event.type as ErrorFields['src'],
      file,
      line: event.lineno || +frame[2]! | 0,
      col: event.colno || +frame[3]! | 0,
    };
};
