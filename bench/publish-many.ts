// Render + publish of 1,000 Kustomizations through the embedded pipeline: one fleet commit declares them
// all; the clock runs from the first fetch until the 1,000th signed artifact is in the index.
import { stateKeys } from '../shared/core/pipeline/state-keys.ts';
import { startHarness } from '../test/support/pipeline-harness.ts';
import { round } from './measure.ts';

export async function publishMany(count = 1000): Promise<Record<string, number>> {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    docs.push(`apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: tenant-${i}
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps/dev
  prune: true
  targetNamespace: podinfo
  namePrefix: t${i}-
  sourceRef:
    kind: GitRepository
    name: flux-system
  postBuild:
    substitute:
      podinfo_color: green
    substituteFrom:
    - kind: ConfigMap
      name: cluster-vars
`);
  }
  const h = await startHarness({
    files: { 'clusters/dev/tenants.yaml': docs.join('---\n') },
    renderBatch: 3,
    // One root declares them all: keep the bound on children above the count, whatever the count.
    settings: { maxChildrenPerKustomization: count + 100 },
  });
  try {
    const start = performance.now();
    await h.start();
    const store = h.plane.deps.store;
    await h.waitFor(
      `${count} published artifacts`,
      async () => ((await store.list(stateKeys.indexes('dev'))).length >= count + 3 ? true : undefined),
      600_000,
    );
    return { publish_1000_kustomizations_s: round(((performance.now() - start) / 1000) * (1000 / count)) };
  } finally {
    await h.close();
  }
}
