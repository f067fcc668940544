// Sluice's full render (overlay, merge, kustomize, substitution, labels) against bare `kubectl kustomize`
// on the same directory, in the same run, so the ratio is what Sluice adds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localToolPath } from '../shared/adapters/render/tool-paths.ts';
import type { ConfigData } from '../shared/api/config-data.ts';
import { findKustomization } from '../shared/api/find-kustomization.ts';
import { createLocalRenderDeps } from '../shared/config/render-deps.ts';
import { renderKustomization } from '../shared/usecases/render-kustomization.ts';
import { median, round, run } from './measure.ts';

const fixture = join(import.meta.dirname, '../test/fixtures/render/overlay');

export async function renderOverhead(runs = 15): Promise<Record<string, number>> {
  const file = join(fixture, 'kustomization.yaml');
  const { ks, others } = findKustomization(readFileSync(file, 'utf8'), file, 'podinfo', 'flux-system');
  const configs = others.filter((o): o is ConfigData => o.kind === 'ConfigMap' || o.kind === 'Secret');
  const deps = createLocalRenderDeps();
  const root = join(fixture, 'repo');
  // apps/base: a directory bare kustomize accepts as is (apps/prod carries a field only Flux tolerates).
  const base = { ...ks, spec: { ...ks.spec, path: './apps/base' } };
  const render = () =>
    renderKustomization(deps, {
      ks: base,
      sourceRoot: root,
      configLookup: (kind, ns, name) =>
        configs.find((c) => c.kind === kind && c.metadata.name === name && c.metadata.namespace === ns),
    });
  const bare = () =>
    run(localToolPath('kubectl'), [
      'kustomize',
      '--load-restrictor=LoadRestrictionsNone',
      join(root, 'apps/base'),
    ]);
  await render();
  await bare(); // warm the page cache for both
  // Interleave so background noise hits both sides alike.
  let sluiceMs = 0;
  let bareMs = 0;
  for (let i = 0; i < 3; i++) {
    sluiceMs += await median(runs, render);
    bareMs += await median(runs, bare);
  }
  return {
    render_ms: round(sluiceMs / 3),
    bare_kustomize_ms: round(bareMs / 3),
    render_overhead_ratio: round(sluiceMs / bareMs, 3),
  };
}
