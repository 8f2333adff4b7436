/** FNV-1a, 32 bits: tiny and stable across browsers, to spread ids and fingerprints. */
export const hash = (text: string): number => {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
};
