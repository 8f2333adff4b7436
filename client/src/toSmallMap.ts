import type { StringMap } from './types';

/**
 * A wire `SmallMap`: at most 16 entries, keys and values strings of at most 128 characters.
 * Numbers keep 4 decimals at most (attribution timings are floats); objects, null and
 * undefined values are left out; an empty map is undefined.
 */
export const toSmallMap = (source?: object | null): StringMap | undefined => {
  let map: StringMap | undefined;
  let count = 0;
  for (const key in source) {
    const value = (source as Record<string, unknown>)[key];
    if (value != null && typeof value != 'object' && count++ < 16)
      (map ||= {})[key.slice(0, 128)] = String(typeof value == 'number' ? +value.toFixed(4) : value).slice(0, 128);
  }
  return map;
};
