const warned: Record<string, 1> = {};

/**
 * Development builds only (calls sit behind `__DEV__`, so production builds carry none of
 * this): one console.warn per distinct mistake, so a call in a loop does not flood the console.
 */
export const warnOnce = (mistake: string, detail?: unknown): void => {
  if (!warned[mistake]) {
    warned[mistake] = 1;
    console.warn('deco RUM: dropped an invalid call (' + mistake + ')', detail);
  }
};
