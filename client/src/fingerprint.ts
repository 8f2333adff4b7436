import { hash } from './lib/hash';
import type { ErrorFields } from './types';

/**
 * A short stable id for "the same error": its type, its message with numbers and ids
 * replaced (so `item 42` and `item 43` group together) and its top frame's file:line.
 */
export const fingerprint = (error: ErrorFields): string =>
  hash(error.type + ':' + error.msg.replace(/\b[\da-f-]{8,}\b|\d+/gi, '0') + '@' + error.file + ':' + error.line).toString(36);
