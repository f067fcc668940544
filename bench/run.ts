// `npm run bench`: every benchmark prints its figures, each with a baseline measured in the same run,
// and merges them into bench/results.json (a flat object of numbers that later benchmarks extend).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundles } from './bundles.ts';
import { gitFetch } from './git-fetch.ts';
import { helmIndex } from './helm-index.ts';
import { helmRenderMany } from './helm-render-many.ts';
import { helmRenderOverhead } from './helm-render-overhead.ts';
import { publishMany } from './publish-many.ts';
import { pullerFootprint } from './puller-footprint.ts';
import { pushToApplied } from './push-to-applied.ts';
import { renderMany } from './render-many.ts';
import { renderOverhead } from './render-overhead.ts';
import { sopsDecrypt } from './sops-decrypt.ts';

const resultsFile = join(import.meta.dirname, 'results.json');
const suites: Record<string, () => Promise<Record<string, number>>> = {
  'render-overhead': () => renderOverhead(),
  'git-fetch': () => gitFetch(),
  'render-many': () => renderMany(),
  'push-to-applied': () => pushToApplied(),
  'publish-many': () => publishMany(),
  bundles: () => bundles(),
  'puller-footprint': () => pullerFootprint(),
  'helm-index': () => helmIndex(),
  'oci-pull': () => import('./oci-pull.ts').then((m) => m.ociPull()),
  'helm-render-overhead': () => helmRenderOverhead(),
  'helm-render-many': () => helmRenderMany(),
  'sops-decrypt': () => sopsDecrypt(),
};

const only = process.argv.slice(2);
const results: Record<string, number> = existsSync(resultsFile)
  ? JSON.parse(readFileSync(resultsFile, 'utf8'))
  : {};
for (const [name, suite] of Object.entries(suites)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const figures = await suite();
  for (const [key, value] of Object.entries(figures)) console.log(`${key} ${value}`);
  Object.assign(results, figures);
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
}
