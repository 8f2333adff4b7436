/** A short random id (base 36, about 52 bits): page views, fallback sessions, FID ids. */
export const uid = (): string => Math.random().toString(36).slice(2);
