// Builds the three snippet bundles into ../rum_server/static/ (or --out DIR), each with
// gzip -9 and brotli (max quality) siblings, deterministically: the same sources give the
// same bytes, which tests/client checks against the committed files.
// `--test-bundles` instead bundles the pure modules, unminified, for `node --test`.
import { build } from 'esbuild';
import { minify } from 'terser';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const { version } = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outDir = outIndex >= 0 ? args[outIndex + 1] : join(here, '..', 'rum_server', 'static');

const BUNDLES = ['rum', 'rum.attribution', 'rum.errors'];

// web-vitals' ES modules (dist/modules, imported one metric at a time) are bundled from
// source, so esbuild tree-shakes and mangles them with our code. These edits drop code the
// snippet never runs: the experimental soft-navigation reporting (we never pass
// `reportSoftNavs`) and the soft-navigation fields of a metric, the options we never pass
// (`reportAllChanges`, `generateTarget`, `includeProcessedEventEntries`...), and what we
// never send (`rating`, attribution objects such as `longestScript`). Each edit is
// [pattern, replacement, how often it matches in rum.js, in rum.attribution.js] (an edit
// that matches 0 times in a build is not made there); a build fails when a count differs, so a
// web-vitals upgrade that moves the code fails the build instead of shipping it untrimmed.
const WEB_VITALS_EDITS = [
  [/checkSoftNavsEnabled\(opts\)/g, 'false', 5, 7],
  [/const softNavsEnabled = false;\n/g, '', 3, 3],
  [/softNavsEnabled/g, 'false', 5, 5],
  [/opts\.reportAllChanges/g, 'false', 14, 14],
  [/if \(entry\.entryType === 'soft-navigation'\) \{\s*handleSoftNavEntry\(entry\);\s*continue;\s*\}/g, '', 3, 3],
  [/const handleSoftNavEntry = \(entry\) => \{[\s\S]*?\n {8}\};\n/g, '', 3, 3],
  [/if \(navigation === 'soft-navigation'\) \{\s*visibilityWatcher = getVisibilityWatcher\(true\);\s*\}/g, '', 1, 1],
  [/if \(reset\) \{\s*firstHiddenTime = Infinity;\s*\}/g, '', 1, 1],
  [/, metric\.navigationId, metric\.navigationInteractionId, metric\.navigationURL, getBFCacheRestoreTime\(\)/g, '', 5, 5],
  [/\n\s*navigationId: navigationId \|\| hardNavId,[\s\S]*?navigationStartTime: navigationStartTime \|\| 0,/g, '', 1, 1],
  [/const hardNavId = .*\n/g, '', 1, 1],
  [/, navigationId( = 0)?, navigationInteractionId, navigationURL, navigationStartTime\)/g, ')', 7, 7],
  [/metric\.navigationId = entry\.navigationId \|\| metric\.navigationId;/g, '', 1, 1],
  // LCP of a soft navigation (interaction-contentful-paint entries, observed only with soft navs).
  [/\n {16}else if \(entry\.entryType === 'interaction-contentful-paint'\) \{[\s\S]*?\n {16}\}/g, '', 1, 1],
  // Attribution of a soft navigation's FCP and LCP.
  [/\n {8}else \{\n[^}]*?_softNavigationEntryMap[\s\S]*?\n {8}\}/g, '', 0, 1],
  [/\n {12}else \{\n {16}\/\/ Set activationStart to the navigation start time[\s\S]*?\n {12}\}/g, '', 0, 1],
  // rating (and so the thresholds) is not sent.
  [/rating: 'good',.*\n/g, '', 1, 1],
  [/metric\.rating = getRating\(metric\.value, thresholds\);/g, '', 1, 1],
  [/, (CLS|FCP|INP|LCP|TTFB)Thresholds, false\)/g, ')', 13, 13],
  // Options never passed.
  [/opts\.generateTarget\?\.\(node\) \?\? /g, '', 0, 3],
  [/opts\.includeProcessedEventEntries/g, 'false', 0, 2],
  [/opts\.resourceBufferSize != undefined/g, 'false', 0, 1],
  [/opts\.durationThreshold \?\? DEFAULT_DURATION_THRESHOLD/g, 'DEFAULT_DURATION_THRESHOLD', 1, 1],
  // INP attribution's longestScript (an object: not sent); its totals stay.
  [/\n {16}if \(intersectingScriptDuration > longestScriptDuration\) \{[\s\S]*?\n {16}\}/g, '', 0, 1],
  [/\n {8}if \(longestScriptEntry && longestScriptSubpart\) \{[\s\S]*?\n {8}\}/g, '', 0, 1],
  // FCP's entry manager only keeps soft-navigation entries.
  [/const fcpEntryManager = initUnique\(opts, FCPEntryManager\);/g, '', 1, 2],
  // Without attribution nobody shares the metric managers or hooks into them.
  [/const lcpEntryManager = initUnique\(opts, LCPEntryManager\);/g, '', 1, 0],
  [/lcpEntryManager\._processEntry\(entry\);/g, '', 1, 0],
  [/initUnique\(opts, (\w+)\)/g, 'new $1()', 2, 0],
  [/this\._on\w+\?\.\(\w+\);/g, '', 4, 0],
  [/^ {4}_(on\w+|softNavigationEntryMap);\n/gm, '', 6, 0],
];

const trimWebVitals = (bundle, counts) => ({
  name: 'trim-web-vitals',
  setup(build) {
    build.onLoad({ filter: /[\\/]web-vitals[\\/]dist[\\/]modules[\\/].*\.js$/ }, (args) => {
      let source = readFileSync(args.path, 'utf8');
      WEB_VITALS_EDITS.forEach(([pattern, replacement, ...expected], i) => {
        if (expected[bundle == 'rum' ? 0 : 1])
          source = source.replace(pattern, (...match) => {
            counts[i]++;
            return replacement.replace(/\$(\d)/g, (_, group) => match[group]);
          });
      });
      return { contents: source, loader: 'js' };
    });
  },
});

const PURE_MODULES = [
  'capBatch',
  'fingerprint',
  'isSampled',
  'readConfig',
  'readError',
  'readPageContext',
  'rotateSession',
  'splitBatch',
  'toSmallMap',
  'toWebVital',
];

// Brotli at max quality, with the mode and window that give the fewest bytes for this file
// (any decoder reads them all; the search is deterministic, so the build stays reproducible).
const smallestBrotli = (code) => {
  let best;
  for (const mode of [constants.BROTLI_MODE_GENERIC, constants.BROTLI_MODE_TEXT, constants.BROTLI_MODE_FONT])
    for (let window = 10; window <= 24; window++) {
      const compressed = brotliCompressSync(code, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_MODE]: mode,
          [constants.BROTLI_PARAM_LGWIN]: window,
          [constants.BROTLI_PARAM_SIZE_HINT]: code.length,
        },
      });
      if (!best || compressed.length < best.length) best = compressed;
    }
  return best;
};

// Measured on these bundles: two compress passes give the fewest brotli bytes in all
// (a third saves 2 B on rum.js and costs 5 and 13 on the others; `unsafe` options cost
// bytes); property names are left alone (esbuild already mangled the `_` ones, the others
// are the wire format and browser APIs).
const TERSER_OPTIONS = { ecma: 2020, compress: { passes: 2 }, mangle: true, format: { comments: false } };

async function buildSnippets() {
  mkdirSync(outDir, { recursive: true });
  for (const name of BUNDLES) {
    const counts = WEB_VITALS_EDITS.map(() => 0);
    const result = await build({
      entryPoints: [join(here, 'src', name + '.ts')],
      bundle: true,
      minify: true,
      format: 'iife',
      // Current Chrome, Safari and Firefox all run ES2022 (web-vitals 6 itself calls
      // Array.prototype.at and findLast), so `?.`, `??` and class fields stay as written.
      target: 'es2022',
      mangleProps: /^_/,
      plugins: [trimWebVitals(name, counts)],
      define: { __SNIPPET_VERSION__: JSON.stringify(version), __ERRORS_ONLY__: String(name == 'rum.errors') },
      legalComments: 'none',
      // The IIFE needs no "use strict" prologue: 13 bytes saved on every page.
      tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
      write: false,
      logLevel: 'warning',
    });
    // rum.errors.js has no web-vitals code at all: every count is 0 there.
    WEB_VITALS_EDITS.forEach(([pattern, , ...expected], i) => {
      const want = { rum: expected[0], 'rum.attribution': expected[1] }[name] || 0;
      if (counts[i] != want) throw new Error(`${name}: web-vitals edit ${pattern} matched ${counts[i]} times, not ${want}`);
    });
    // A second pass by terser (its compressor inlines and folds more than esbuild's
    // minifier): deterministic, like esbuild, for the same input and options.
    const code = Buffer.from((await minify(result.outputFiles[0].text, TERSER_OPTIONS)).code);
    const file = join(outDir, name + '.js');
    writeFileSync(file, code);
    writeFileSync(file + '.gz', gzipSync(code, { level: 9 }));
    writeFileSync(file + '.br', smallestBrotli(code));
    const brotli = readFileSync(file + '.br').length;
    console.log(`${name}.js ${code.length} B, brotli ${brotli} B`);
  }
}

// The pure modules, unminified, twice: as in rum.js and rum.attribution.js (test/.build/)
// and as in rum.errors.js (test/.build/errors/), so the tests cover both behaviours.
async function buildTestBundles() {
  for (const errorsOnly of [false, true]) {
    const testDir = join(here, 'test', '.build', errorsOnly ? 'errors' : '');
    mkdirSync(testDir, { recursive: true });
    await build({
      entryPoints: PURE_MODULES.map((name) => join(here, 'src', name + '.ts')),
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2019',
      outdir: testDir,
      outExtension: { '.js': '.mjs' },
      define: { __ERRORS_ONLY__: String(errorsOnly) },
      logLevel: 'warning',
    });
  }
}

await (args.includes('--test-bundles') ? buildTestBundles() : buildSnippets());
