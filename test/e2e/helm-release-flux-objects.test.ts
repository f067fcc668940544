// Flux objects a chart renders, as the README's fleet section says: reported on the HelmRelease's render status
// and skipped (only Kustomizations declare sources and children), while the rest of the chart is delivered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmReleaseYaml } from '../support/helm-release-yaml.ts';
import { kustomizationYaml } from '../support/kustomization-yaml.ts';
import { type Harness, startHarness } from '../support/pipeline-harness.ts';

let h: Harness;

const chart = {
  'charts/fluxy/Chart.yaml': 'apiVersion: v2\nname: fluxy\nversion: 0.1.0\n',
  'charts/fluxy/templates/configmap.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fluxy-settings\ndata:\n  shipped: "yes"\n',
  'charts/fluxy/templates/kustomization.yaml': kustomizationYaml('from-the-chart', { path: './apps' }),
};

beforeAll(async () => {
  h = await startHarness({
    files: {
      ...chart,
      'clusters/dev/fluxy.yaml': helmReleaseYaml('fluxy', {
        chart: './charts/fluxy',
        targetNamespace: 'default',
      }),
    },
  });
  await h.start();
}, 90_000);

afterAll(async () => {
  await h?.close();
});

describe('a chart that renders a Flux object', () => {
  it('delivers the rest of the chart, and reports the Flux object as skipped on the HelmRelease', async () => {
    await h.waitFor('the ConfigMap applied', () =>
      h.kube.object('v1', 'ConfigMap', 'fluxy-settings', 'default'),
    );
    const targets = (await h.status()).clusters.find((c) => c.name === 'dev')?.kustomizations ?? [];
    const release = targets.find((t) => t.kind === 'HelmRelease' && t.name === 'fluxy');
    expect(release?.render?.warnings).toContain(
      'the chart renders Flux objects (Kustomization/flux-system/from-the-chart); only Kustomizations declare sources and children in Sluice, so they were skipped: declare them in the fleet',
    );
    expect(targets.filter((t) => t.name === 'from-the-chart')).toEqual([]);
  });
});
