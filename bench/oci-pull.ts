// Pull of one chart (~100 KB packaged) from the local OCI registry stand-in: our registry client (resolve the
// tag, download and verify the chart layer) against the real `helm pull` of the same chart, in the same run.
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpOciRegistryClient } from '../shared/adapters/oci/registry-client.ts';
import { HELM_CHART_LAYER } from '../shared/core/oci/select-oci-ref.ts';
import { makeHelmHome, packageChart, runHelm, writeChart } from '../test/support/helm-charts.ts';
import { startOciRegistry } from '../test/support/oci-registry.ts';
import { median, round } from './measure.ts';

/** Templates of CRD-like YAML with varied text, so the package is about as large as a real mid-sized chart. */
function templates(count: number): Record<string, string> {
  const out: Record<string, string> = {};
  let seed = 7;
  const word = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed.toString(36);
  };
  for (let i = 0; i < count; i++) {
    const props = Array.from(
      { length: 40 },
      (_, j) =>
        `            field${j}:\n              type: string\n              description: ${Array.from({ length: 8 }, word).join(' ')}\n`,
    ).join('');
    out[`crd-${i}.yaml`] =
      `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: thing${i}.{{ .Release.Name }}.example.com\nspec:\n  group: example.com\n  names:\n    kind: Thing${i}\n    plural: thing${i}s\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n${props}`;
  }
  return out;
}

export async function ociPull(runs = 5): Promise<Record<string, number>> {
  const home = await makeHelmHome();
  const registry = await startOciRegistry();
  try {
    const dir = await writeChart(join(home, 'src'), {
      name: 'bench-chart',
      version: '1.2.3',
      templates: templates(64),
    });
    const chart = await packageChart(dir, join(home, 'packaged'), home);
    const chartBytes = (await stat(chart)).size;
    await runHelm(['push', chart, `oci://${registry.host}/charts`, '--plain-http'], { home });
    const url = registry.url('charts/bench-chart');
    const policy = { publicOnly: false, allowed: [registry.origin], allowSetting: 'bench' };

    // A fresh client per pull, as each helm pull is a fresh process with no token or connection reuse.
    const ours = await median(runs, async () => {
      const client = new HttpOciRegistryClient({ policy });
      const { manifest } = await client.resolve(url, '1.2.3', { insecure: true });
      const layer = manifest.layers.find((l) => l.mediaType === HELM_CHART_LAYER) ?? manifest.layers[0];
      if (!layer) throw new Error('no chart layer');
      await client.fetchBlob(url, layer, { insecure: true }, 64 * 1024 * 1024);
    });
    const out = await mkdtemp(join(tmpdir(), 'sluice-bench-helm-pull-'));
    let n = 0;
    const helm = await median(runs, async () => {
      const dest = join(out, String(n++));
      await mkdir(dest);
      await runHelm(['pull', url, '--version', '1.2.3', '--plain-http', '--destination', dest], { home });
    });
    await rm(out, { recursive: true, force: true });
    return {
      oci_pull_chart_bytes: chartBytes,
      oci_pull_ms: round(ours),
      helm_pull_ms: round(helm),
      oci_pull_ratio_vs_helm: round(ours / helm, 3),
    };
  } finally {
    await registry.close();
    await rm(home, { recursive: true, force: true });
  }
}
