// Renders 1,000 distinct Kustomizations (distinct name prefixes, so no render-cache hits) with two in
// flight at a time, matching this machine's two cores.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigData } from '../shared/api/config-data.ts';
import { findKustomization } from '../shared/api/find-kustomization.ts';
import { createLocalRenderDeps } from '../shared/config/render-deps.ts';
import { renderKustomization } from '../shared/usecases/render-kustomization.ts';
import { round } from './measure.ts';

const fixture = join(import.meta.dirname, '../test/fixtures/render/overlay');

export async function renderMany(count = 1000, concurrency = 2): Promise<Record<string, number>> {
  const file = join(fixture, 'kustomization.yaml');
  const { ks, others } = findKustomization(readFileSync(file, 'utf8'), file, 'podinfo', 'flux-system');
  const configs = others.filter((o): o is ConfigData => o.kind === 'ConfigMap' || o.kind === 'Secret');
  const deps = createLocalRenderDeps();
  const root = join(fixture, 'repo');
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      await renderKustomization(deps, {
        ks: {
          ...ks,
          metadata: { ...ks.metadata, name: `app-${i}` },
          spec: { ...ks.spec, namePrefix: `t${i}-` },
        },
        sourceRoot: root,
        sourceDigest: 'sha256:bench',
        configLookup: (kind, ns, name) =>
          configs.find((c) => c.kind === kind && c.metadata.name === name && c.metadata.namespace === ns),
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { render_1000_kustomizations_s: round(((performance.now() - start) / 1000) * (1000 / count)) };
}
