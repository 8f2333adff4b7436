/** FNV-1a, 32 bits: tiny and stable across browsers, to spread ids and fingerprints. */
export const hash = (text: string): number => {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
};
