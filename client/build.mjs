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
    const result = await build({
      entryPoints: [join(here, 'src', name + '.ts')],
      bundle: true,
      minify: true,
      format: 'iife',
      target: 'es2019',
      mangleProps: /^_/,
      define: { __SNIPPET_VERSION__: JSON.stringify(version) },
      legalComments: 'none',
      // The IIFE needs no "use strict" prologue: 13 bytes saved on every page.
      tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
      write: false,
      logLevel: 'warning',
    });
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
