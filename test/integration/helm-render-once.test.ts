// Equal HelmRelease inputs render once: renders of several clusters in flight together share one helm run
// (the cache knows an output only once its run ends), and each stamps its own origin labels.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResource } from '../../shared/api/decode-resource.ts';
import { createLocalRenderDeps } from '../../shared/config/render-deps.ts';
import type { HelmReleaseRecord } from '../../shared/core/pipeline/records.ts';
import type { HelmTemplate } from '../../shared/ports/helm-template.ts';
import type { RenderInputs } from '../../shared/ports/renderer.ts';
import { helmReleaseRenderer } from '../../shared/usecases/renderers/helm-release-renderer.ts';
import { writeChart } from '../support/helm-charts.ts';

let root: string;
let chartDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-helm-once-'));
  chartDir = join(root, 'snapshot');
  await writeChart(chartDir, { name: 'greeter', version: '1.0.0' });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function record(cluster: string, name: string): HelmReleaseRecord {
  const decoded = decodeResource(
    {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name, namespace: 'apps' },
      spec: {
        interval: '5m',
        releaseName: 'greeter',
        chart: { spec: { chart: 'greeter', sourceRef: { kind: 'HelmRepository', name: 'charts' } } },
        values: { greeting: 'hi' },
      },
    },
    { file: 'apps/greeter.yaml', document: 0 },
  );
  if (decoded.kind !== 'HelmRelease') throw new Error('not a HelmRelease');
  return { cluster, helmRelease: decoded, sourceKey: 'HelmChart/apps/apps-greeter', parent: null };
}

describe('HelmRelease renders of equal inputs', () => {
  it('share one helm run when they are in flight together, and each stamps its own objects', async () => {
    const deps = createLocalRenderDeps();
    const helm = deps.helm as HelmTemplate;
    let runs = 0;
    const counting: HelmTemplate = {
      version: helm.version,
      locateChart: (dir) => helm.locateChart(dir),
      template: (input) => {
        runs++;
        return helm.template(input);
      },
    };
    const renderer = helmReleaseRenderer({ ...deps, helm: counting });
    const inputs: RenderInputs = {
      sourceRoot: chartDir,
      sourceDigest: 'sha256:greeter-1.0.0',
      configs: [],
      strictSubstitution: false,
      allowRemoteBases: false,
    };
    const outputs = await Promise.all(
      ['dev', 'staging', 'prod'].map((c, i) => renderer.render(record(c, `greeter-${i}`), inputs)),
    );
    expect(runs).toBe(1);
    const labels = outputs.map(
      (o) => (o.objects[0]?.metadata as { labels: Record<string, string> } | undefined)?.labels ?? {},
    );
    expect(labels.map((l) => l['helm.toolkit.fluxcd.io/name'])).toEqual([
      'greeter-0',
      'greeter-1',
      'greeter-2',
    ]);
    // Later renders of the same input come from the cache.
    await renderer.render(record('dev', 'greeter-0'), inputs);
    expect(runs).toBe(1);
  });
});
