/** Wraps a callback so nothing it throws ever reaches the page. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const guard = <A extends any[]>(fn: (...args: A) => void) => (...args: A): void => {
  try {
    fn(...args);
  } catch (e) {
    // the snippet never throws into the page
  }
};
