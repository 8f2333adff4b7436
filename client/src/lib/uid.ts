/** A short random id ([0-9a-z]); crypto when the browser has it, else time plus Math.random. */
export const uid = (): string => {
  try {
    return Array.from(crypto.getRandomValues(new Uint32Array(3)), (n) => n.toString(36)).join('');
  } catch (e) {
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
};
