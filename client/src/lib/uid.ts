/** A short random id of digits: 64 bits from crypto when the browser has it, else Math.random and time. */
export const uid = (): string => {
  try {
    return crypto.getRandomValues(new Uint32Array(2)).join('');
  } catch (e) {
    return Math.random().toString().slice(2) + Date.now();
  }
};
