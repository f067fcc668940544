// Cold start per Lambda function: bundle each handler the way SST does (esbuild, ESM, only what the handler
// imports, minified) and measure the bundle size and the module init time in a fresh Node process.
// Baseline in the same run: init time of an empty ESM module.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, round, run } from './measure.ts';

const root = join(import.meta.dirname, '..');
const FUNCTIONS = ['webhook', 'schedule', 'fetch', 'render', 'render-sandbox', 'notify'];

export async function bundles(): Promise<Record<string, number>> {
  const require = createRequire(join(root, '.sst/platform/package.json'));
  let esbuild: { build(options: Record<string, unknown>): Promise<unknown> };
  try {
    esbuild = require('esbuild') as typeof esbuild;
  } catch {
    throw new Error('esbuild comes with the SST platform: run `npm run check:infra` first');
  }
  const out = mkdtempSync(join(tmpdir(), 'sluice-bundles-'));
  const figures: Record<string, number> = {};
  try {
    const empty = join(out, 'empty.mjs');
    writeFileSync(empty, 'export const handler = () => 0;\n');
    const initOf = (file: string) =>
      median(5, () =>
        run(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(file)});`], {
          env: { ...process.env, AWS_REGION: 'us-east-1' },
        }),
      );
    const baseline = await initOf(empty);
    figures.init_ms_empty_module = round(baseline);
    for (const name of FUNCTIONS) {
      const outfile = join(out, `${name}.mjs`);
      await esbuild.build({
        entryPoints: [join(root, 'functions', `${name}.ts`)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node24',
        minify: true,
        // CommonJS dependencies inside an ESM bundle need a require of their own.
        banner: {
          js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        },
        logLevel: 'silent',
      });
      figures[`bundle_kb_${name.replace('-', '_')}`] = round(statSync(outfile).size / 1024, 1);
      // Init = starting Node and evaluating the module, minus the same for an empty module.
      figures[`init_ms_${name.replace('-', '_')}`] = round((await initOf(outfile)) - baseline, 1);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return figures;
}
