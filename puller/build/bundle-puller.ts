// The puller as one self-contained ES module: only what puller/main.ts imports (client-node, the S3/SQS/KMS
// clients, the puller use-cases), so its image carries no fauxqs, isomorphic-git, kubectl layer or SST.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..', '..');

export interface PullerBundle {
  file: string;
  bytes: number;
  /** Packages the bundle took code from (from esbuild's metafile), for checking what ships. */
  packages: string[];
}

export async function bundlePuller(
  outfile = join(root, 'puller', 'dist', 'puller.mjs'),
): Promise<PullerBundle> {
  const result = await build({
    entryPoints: [join(root, 'puller', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    metafile: true,
    // CommonJS dependencies inside an ESM bundle need a require of their own.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'silent',
  });
  const packages = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    if (match?.[1]) packages.add(match[1]);
  }
  return { file: outfile, bytes: statSync(outfile).size, packages: [...packages].sort() };
}

if (import.meta.main) {
  const bundle = await bundlePuller(process.argv[2]);
  console.log(
    `${bundle.file}: ${Math.round(bundle.bytes / 1024)} KB from ${bundle.packages.length} packages`,
  );
}
