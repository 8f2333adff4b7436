/**
 * Set by build.mjs through esbuild's `define`: true only in rum.errors.js, the minimal
 * build, whose left-out features (docs/snippet.md) are cut at build time from this one source.
 */
declare const __ERRORS_ONLY__: boolean;
/** Set by build.mjs: true only in the development build (console warnings for invalid calls). */
declare const __DEV__: boolean;
/** Set by build.mjs: true in the builds whose entry passes a per-page-view rollup (rum.attribution.js). */
declare const __ROLLUP__: boolean;
