const IDLE_MS = 30 * 60 * 1000;
const MAX_MS = 4 * 60 * 60 * 1000;

/**
 * The session state to store after activity at `now`: "id.start.last" (sessionStorage, no cookie).
 * A session ends after 30 minutes idle or 4 hours in all; then `newId` starts a new one.
 */
export const rotateSession = (saved: string | null | undefined, now: number, newId: string): string => {
  const [id, start, last] = (saved || '').split('.');
  return id && now - +last < IDLE_MS && now - +start < MAX_MS
    ? id + '.' + start + '.' + now
    : newId + '.' + now + '.' + now;
};
