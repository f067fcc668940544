// Push → applied latency in embedded mode: a 50-object app, one commit at a time, webhook, and the clock
// stops when the test Kubernetes API server holds the new value. Baseline: the same commit's bare
// `kubectl kustomize` of the app directory, measured in the same run.
import { join } from 'node:path';
import { localToolPath } from '../shared/adapters/render/tool-paths.ts';
import { startHarness } from '../test/support/pipeline-harness.ts';
import { round, run } from './measure.ts';

const OBJECTS = 50;

function configMaps(version: number): Record<string, string> {
  const files: Record<string, string> = {};
  const names: string[] = [];
  for (let i = 0; i < OBJECTS; i++) {
    names.push(`cm-${i}.yaml`);
    files[`apps/bench/cm-${i}.yaml`] =
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bench-${i}\n  namespace: podinfo\ndata:\n  version: "${version}"\n`;
  }
  files['apps/bench/kustomization.yaml'] = `resources:\n${names.map((n) => `- ${n}`).join('\n')}\n`;
  return files;
}

const benchKs = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: bench
  namespace: flux-system
spec:
  interval: 10m
  dependsOn:
  - name: infrastructure
  path: ./apps/bench
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`;

export async function pushToApplied(iterations = 15): Promise<Record<string, number>> {
  const h = await startHarness({ files: { ...configMaps(0), 'clusters/dev/bench.yaml': benchKs } });
  try {
    await h.start();
    const value = () =>
      (h.kube.object('v1', 'ConfigMap', `bench-${OBJECTS - 1}`, 'podinfo')?.data as { version?: string })
        ?.version;
    await h.waitFor('first delivery', () => value() === '0' || undefined, 60_000);
    const times: number[] = [];
    const bare: number[] = [];
    for (let v = 1; v <= iterations; v++) {
      await h.repo.write(configMaps(v));
      await h.repo.commit(`version ${v}`);
      await h.repo.push();
      const start = performance.now();
      await h.webhook();
      await h.waitFor(`version ${v}`, () => value() === String(v) || undefined, 30_000);
      times.push(performance.now() - start);
      const t = performance.now();
      await run(localToolPath('kubectl'), ['kustomize', join(h.repo.workDir, 'apps/bench')]);
      bare.push(performance.now() - t);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const pct = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
    const bareMedian = [...bare].sort((a, b) => a - b)[Math.floor(bare.length / 2)] as number;
    return {
      push_to_applied_p50_ms: round(pct(50)),
      push_to_applied_p95_ms: round(pct(95)),
      push_to_applied_bare_kustomize_ms: round(bareMedian),
      push_to_applied_ratio_vs_bare_kustomize: round(pct(50) / bareMedian, 2),
    };
  } finally {
    await h.close();
  }
}
