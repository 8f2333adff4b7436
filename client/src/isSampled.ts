import { hash } from './lib/hash';

/**
 * Whether a session is kept at `rate`: decided once per session from a hash of its id,
 * so every page view and event of a session shares the same fate (never Math.random per event).
 */
export const isSampled = (sessionId: string, rate: number): boolean => hash(sessionId) < rate * 4294967296;
