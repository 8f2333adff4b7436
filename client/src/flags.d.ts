/**
 * Set by build.mjs through esbuild's `define`: true only in rum.errors.js, the minimal
 * build, whose left-out features (docs/snippet.md) are cut at build time from this one source.
 */
declare const __ERRORS_ONLY__: boolean;
