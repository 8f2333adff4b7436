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

// Each bundle: its entry file, and whether it is a development build (__DEV__: console
// warnings for invalid API calls; not for production pages, so outside the byte budgets).
const BUNDLES = {
  rum: { entry: 'rum' },
  'rum.attribution': { entry: 'rum.attribution' },
  'rum.errors': { entry: 'rum.errors' },
  'rum.dev': { entry: 'rum.attribution', dev: true },
};

// web-vitals' ES modules (dist/modules, imported one metric at a time) are bundled from
// source, so esbuild tree-shakes and mangles them with our code. web-vitals has no public
// option that removes code: the options below are ones the snippet never passes, and the
// code behind them still ships. These named edits cut, at build time, code the snippet never
// runs; each is named (edits that only work together share a name) and kept only because it
// saves brotli bytes (`node build.mjs --measure-edits` prints what each name saves;
// docs/snippet.md lists them). Each states how often its pattern
// matches in rum.js and in rum.attribution.js (0: not made there); the build fails when a
// count differs, so a web-vitals upgrade that moves the code fails the build instead of
// shipping it untrimmed, and rum.errors.js (no web-vitals code) must match none.
const WEB_VITALS_EDITS = [
  // The experimental soft-navigation reporting: only with `reportSoftNavs`, never passed.
  ['soft-navs', /checkSoftNavsEnabled\(opts\)/g, 'false', 5, 7],
  ['soft-navs', /const softNavsEnabled = false;\n/g, '', 3, 3],
  ['soft-navs', /softNavsEnabled/g, 'false', 5, 5],
  ['soft-navs', /if \(entry\.entryType === 'soft-navigation'\) \{\s*handleSoftNavEntry\(entry\);\s*continue;\s*\}/g, '', 3, 3],
  ['soft-navs', /const handleSoftNavEntry = \(entry\) => \{[\s\S]*?\n {8}\};\n/g, '', 3, 3],
  ['soft-navs', /if \(navigation === 'soft-navigation'\) \{\s*visibilityWatcher = getVisibilityWatcher\(true\);\s*\}/g, '', 1, 1],
  ['soft-navs', /if \(reset\) \{\s*firstHiddenTime = Infinity;\s*\}/g, '', 1, 1],
  // A metric's soft-navigation fields (navigationId, navigationURL...), never sent.
  ['metric-nav-fields', /, metric\.navigationId, metric\.navigationInteractionId, metric\.navigationURL, getBFCacheRestoreTime\(\)/g, '', 5, 5],
  ['metric-nav-fields', /\n\s*navigationId: navigationId \|\| hardNavId,[\s\S]*?navigationStartTime: navigationStartTime \|\| 0,/g, '', 1, 1],
  ['metric-nav-fields', /const hardNavId = .*\n/g, '', 1, 1],
  ['metric-nav-fields', /, navigationId( = 0)?, navigationInteractionId, navigationURL, navigationStartTime\)/g, ')', 7, 7],
  ['metric-nav-fields', /metric\.navigationId = entry\.navigationId \|\| metric\.navigationId;/g, '', 1, 1],
  // LCP of a soft navigation (interaction-contentful-paint entries, observed only with soft navs).
  ['soft-navs', /\n {16}else if \(entry\.entryType === 'interaction-contentful-paint'\) \{[\s\S]*?\n {16}\}/g, '', 1, 1],
  // Attribution of a soft navigation's FCP and LCP.
  ['soft-navs', /\n {8}else \{\n[^}]*?_softNavigationEntryMap[\s\S]*?\n {8}\}/g, '', 0, 1],
  ['soft-navs', /\n {12}else \{\n {16}\/\/ Set activationStart to the navigation start time[\s\S]*?\n {12}\}/g, '', 0, 1],
  // `reportAllChanges`, never passed.
  ['report-all-changes', /opts\.reportAllChanges/g, 'false', 14, 14],
  // rating (and so the thresholds) is not sent: the server rates.
  ['rating', /rating: 'good',.*\n/g, '', 1, 1],
  ['rating', /metric\.rating = getRating\(metric\.value, thresholds\);/g, '', 1, 1],
  ['rating', /, (CLS|FCP|INP|LCP|TTFB)Thresholds, false\)/g, ')', 13, 13],
  // Attribution options never passed.
  ['generate-target', /opts\.generateTarget\?\.\(node\) \?\? /g, '', 0, 3],
  ['processed-event-entries', /opts\.includeProcessedEventEntries/g, 'false', 0, 2],
  ['resource-buffer-size', /opts\.resourceBufferSize != undefined/g, 'false', 0, 1],
  ['duration-threshold', /opts\.durationThreshold \?\? DEFAULT_DURATION_THRESHOLD/g, 'DEFAULT_DURATION_THRESHOLD', 1, 1],
  // INP attribution's longestScript (an object: not sent); its totals stay.
  ['longest-script', /\n {16}if \(intersectingScriptDuration > longestScriptDuration\) \{[\s\S]*?\n {16}\}/g, '', 0, 1],
  ['longest-script', /\n {8}if \(longestScriptEntry && longestScriptSubpart\) \{[\s\S]*?\n {8}\}/g, '', 0, 1],
  // Attribution's performance entries and elements (objects: toSmallMap never sends them).
  ['entry-objects', /\n\s*(navigationEntry|fcpEntry|largestShiftSource|largestShiftEntry)(: \w+)?,(?=\n)/g, '', 0, 7],
  ['entry-objects', /attribution\.lcpEntry = lcpEntry;|if \(lcpResourceEntry\) \{\s*attribution\.lcpResourceEntry = lcpResourceEntry;\s*\}/g, '', 0, 2],
  // FCP's entry manager only keeps soft-navigation entries.
  ['fcp-entry-manager', /const fcpEntryManager = initUnique\(opts, FCPEntryManager\);/g, '', 1, 0],
  // Without attribution nobody shares the metric managers or hooks into them.
  ['unshared-managers', /const lcpEntryManager = initUnique\(opts, LCPEntryManager\);/g, '', 1, 0],
  ['unshared-managers', /lcpEntryManager\._processEntry\(entry\);/g, '', 1, 0],
  ['unshared-managers', /initUnique\(opts, (\w+)\)/g, 'new $1()', 2, 0],
  ['unshared-managers', /this\._on\w+\?\.\(\w+\);/g, '', 4, 0],
  ['unshared-managers', /^ {4}_(on\w+|softNavigationEntryMap);\n/gm, '', 6, 0],
];

// `skip` names edits left out (for --measure-edits).
const trimWebVitals = (bundle, counts, skip) => ({
  name: 'trim-web-vitals',
  setup(build) {
    build.onLoad({ filter: /[\\/]web-vitals[\\/]dist[\\/]modules[\\/].*\.js$/ }, (args) => {
      let source = readFileSync(args.path, 'utf8');
      WEB_VITALS_EDITS.forEach(([name, pattern, replacement, ...expected], i) => {
        if (expected[bundle == 'rum' ? 0 : 1] && name != skip)
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
  'checkEvent',
  'fingerprint',
  'isSampled',
  'lib/sha256',
  'lib/warnOnce',
  'readConfig',
  'readError',
  'readPageContext',
  'readResources',
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

// The minified code of one bundle (`skip`: an edit left out, for --measure-edits).
async function bundle(name, skip) {
  const { entry, dev } = BUNDLES[name];
  const counts = WEB_VITALS_EDITS.map(() => 0);
  const result = await build({
    entryPoints: [join(here, 'src', entry + '.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    // Current Chrome, Safari and Firefox all run ES2022 (web-vitals 6 itself calls
    // Array.prototype.at and findLast), so `?.`, `??` and class fields stay as written.
    target: 'es2022',
    mangleProps: /^_/,
    plugins: [trimWebVitals(entry, counts, skip)],
    define: {
      __SNIPPET_VERSION__: JSON.stringify(version),
      __ERRORS_ONLY__: String(entry == 'rum.errors'),
      __DEV__: String(!!dev),
      __ROLLUP__: String(entry == 'rum.attribution'),

    },
    legalComments: 'none',
    // The IIFE needs no "use strict" prologue: 13 bytes saved on every page.
    tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
    write: false,
    logLevel: 'warning',
  });
  // Every edit must match as often as it says (rum.errors.js has no web-vitals code: 0).
  // When measuring one edit left out, the others may match less (some patterns assume it).
  WEB_VITALS_EDITS.forEach(([edit, pattern, , ...expected], i) => {
    const want = { rum: expected[0], 'rum.attribution': expected[1] }[entry] || 0;
    if (!skip && counts[i] != want) throw new Error(`${name}: web-vitals edit ${edit} (${pattern}) matched ${counts[i]} times, not ${want}`);
  });
  // A second pass by terser (its compressor inlines and folds more than esbuild's
  // minifier): deterministic, like esbuild, for the same input and options.
  return Buffer.from((await minify(result.outputFiles[0].text, TERSER_OPTIONS)).code);
}

async function buildSnippets() {
  mkdirSync(outDir, { recursive: true });
  for (const name in BUNDLES) {
    const code = await bundle(name);
    const file = join(outDir, name + '.js');
    writeFileSync(file, code);
    writeFileSync(file + '.gz', gzipSync(code, { level: 9 }));
    writeFileSync(file + '.br', smallestBrotli(code));
    const brotli = readFileSync(file + '.br').length;
    console.log(`${name}.js ${code.length} B, brotli ${brotli} B`);
  }
}

// What each web-vitals edit saves: every bundle built without it, against with all of them.
async function measureEdits() {
  const names = ['rum', 'rum.attribution'];
  const full = {};
  for (const name of names) full[name] = smallestBrotli(await bundle(name)).length;
  console.log(`all edits: rum.js ${full.rum} B, rum.attribution.js ${full['rum.attribution']} B brotli`);
  for (const edit of new Set(WEB_VITALS_EDITS.map(([name]) => name))) {
    const saved = [];
    for (const [i, name] of names.entries()) {
      const used = WEB_VITALS_EDITS.some(([other, , , ...expected]) => other == edit && expected[i]);
      saved.push(used ? smallestBrotli(await bundle(name, edit)).length - full[name] : '—');
    }
    console.log(`| \`${edit}\` | ${saved.join(' | ')} |`);
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
      define: { __ERRORS_ONLY__: String(errorsOnly), __DEV__: 'false', __ROLLUP__: 'false' },
      logLevel: 'warning',
    });
  }
}

await (args.includes('--test-bundles') ? buildTestBundles() : args.includes('--measure-edits') ? measureEdits() : buildSnippets());
