/** Where the session lives: sessionStorage, or memory where storage is blocked. */
export type SessionStore = { deco_rum?: string };

/** sessionStorage, or a plain object when the browser blocks storage (it then lives in memory). */
export const openStorage = (): SessionStore => {
  try {
    return sessionStorage as SessionStore;
  } catch {
    return {};
  }
};
