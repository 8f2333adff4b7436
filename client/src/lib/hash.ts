/**
 * FNV-1a over the text, then murmur3's finalizer so that similar ids ("s1", "s2") spread
 * over all 32 bits (sampling compares the whole value with rate × 2^32).
 */
export const hash = (text: string): number => {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return (h ^ (h >>> 16)) >>> 0;
};
