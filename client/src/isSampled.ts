import { hash } from './lib/hash';

/**
 * Whether a session is kept at `rate`: decided once per session from a hash of its id,
 * so every page view and event of a session shares the same fate (never Math.random per
 * event). FNV-1a's low digits are well spread even for similar ids, so the hash modulo
 * 10,000 is compared with rate × 10,000 (rates resolve to 0.0001).
 */
export const isSampled = (sessionId: string, rate: number): boolean => hash(sessionId) % 1e4 < rate * 1e4;
