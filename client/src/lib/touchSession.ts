import { rotateSession } from '../rotateSession';
import type { SessionStore } from './openStorage';
import { uid } from './uid';

/** The session id, its idle clock reset by this use (a new session when it expired). */
export const touchSession = (storage: SessionStore): string => {
  const session = rotateSession(storage.deco_rum, Date.now(), uid());
  try {
    storage.deco_rum = session;
  } catch {
    // storage full
  }
  return session.split('.')[0]!;
};
