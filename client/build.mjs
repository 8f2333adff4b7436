// Builds the three snippet bundles into ../rum_server/static/ (or --out DIR), each with
// gzip -9 and brotli (max quality) siblings, deterministically: the same sources give the
// same bytes, which tests/client checks against the committed files.
// `--test-bundles` instead bundles the pure modules, unminified, for `node --test`.
import { build } from 'esbuild';
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
// `reportSoftNavs`), `reportAllChanges` (never passed) and `rating` (not sent). Each edit
// must match exactly as often as stated, so a web-vitals upgrade that moves the code fails
// the build instead of silently shipping the full library.
const WEB_VITALS_EDITS = [
  [/checkSoftNavsEnabled\(opts\)/g, 'false'],
  [/opts\.reportAllChanges/g, 'false'],
  [/if \(entry\.entryType === 'soft-navigation'\) \{\s*handleSoftNavEntry\(entry\);\s*continue;\s*\}/g, ''],
  [/const handleSoftNavEntry = \(entry\) => \{[\s\S]*?\n {8}\};\n/g, ''],
  [/rating: 'good',.*\n/g, ''],
  [/metric\.rating = getRating\(metric\.value, thresholds\);/g, ''],
  // The soft-navigation fields of a metric (navigationId, navigationURL...), never sent.
  [/, metric\.navigationId, metric\.navigationInteractionId, metric\.navigationURL, getBFCacheRestoreTime\(\)/g, ''],
  [/\n\s*navigationId: navigationId \|\| hardNavId,[\s\S]*?navigationStartTime: navigationStartTime \|\| 0,/g, ''],
  [/const hardNavId = .*\n/g, ''],
  [/metric\.navigationId = entry\.navigationId \|\| metric\.navigationId;/g, ''],
  // LCP of a soft navigation (interaction-contentful-paint entries, observed only with soft navs).
  [/\n {16}else if \(entry\.entryType === 'interaction-contentful-paint'\) \{[\s\S]*?\n {16}\}/g, ''],
];
// How often each edit matches across the web-vitals 6.2.3 modules (both builds).
const WEB_VITALS_EDIT_COUNTS = [null, null, 3, 3, 1, 1, 5, 1, 1, 1, 1];

const trimWebVitals = (counts) => ({
  name: 'trim-web-vitals',
  setup(build) {
    build.onLoad({ filter: /[\\/]web-vitals[\\/]dist[\\/]modules[\\/].*\.js$/ }, (args) => {
      let source = readFileSync(args.path, 'utf8');
      WEB_VITALS_EDITS.forEach(([pattern, replacement], i) => {
        source = source.replace(pattern, () => {
          counts[i]++;
          return replacement;
        });
      });
      return { contents: source, loader: 'js' };
    });
  },
});

const PURE_MODULES = [
  'fingerprint',
  'isSampled',
  'readConfig',
  'readError',
  'readPageContext',
  'rotateSession',
  'splitBatch',
  'toSmallMap',
];

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
      plugins: [trimWebVitals(counts)],
      define: { __SNIPPET_VERSION__: JSON.stringify(version) },
      legalComments: 'none',
      // The IIFE needs no "use strict" prologue: 13 bytes saved on every page.
      tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
      write: false,
      logLevel: 'warning',
    });
    if (counts[0]) {
      WEB_VITALS_EDIT_COUNTS.forEach((expected, i) => {
        if (expected == null ? !counts[i] : counts[i] != expected)
          throw new Error(`${name}: web-vitals edit ${WEB_VITALS_EDITS[i][0]} matched ${counts[i]} times`);
      });
    }
    const code = Buffer.from(result.outputFiles[0].text);
    const file = join(outDir, name + '.js');
    writeFileSync(file, code);
    writeFileSync(file + '.gz', gzipSync(code, { level: 9 }));
    writeFileSync(
      file + '.br',
      brotliCompressSync(code, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: code.length,
        },
      }),
    );
    const brotli = readFileSync(file + '.br').length;
    console.log(`${name}.js ${code.length} B, brotli ${brotli} B`);
  }
}

async function buildTestBundles() {
  const testDir = join(here, 'test', '.build');
  mkdirSync(testDir, { recursive: true });
  await build({
    entryPoints: PURE_MODULES.map((name) => join(here, 'src', name + '.ts')),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2019',
    outdir: testDir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  });
}

await (args.includes('--test-bundles') ? buildTestBundles() : buildSnippets());
