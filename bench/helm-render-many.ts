// 100 HelmReleases over 10 charts and 3 clusters (each with its own capabilities), two in flight, counting
// the real helm runs: equal inputs must render once, so `helm_renders_per_distinct_input` is 1.0.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalRenderDeps } from '../shared/config/render-deps.ts';
import type { ClusterCapabilities, HelmReleaseRecord } from '../shared/core/pipeline/records.ts';
import type { HelmTemplate } from '../shared/ports/helm-template.ts';
import type { RenderInputs } from '../shared/ports/renderer.ts';
import { helmReleaseRenderer } from '../shared/usecases/renderers/helm-release-renderer.ts';
import { benchRelease, writeBenchChart } from './helm-bench-chart.ts';
import { round } from './measure.ts';

const CLUSTERS: Record<string, ClusterCapabilities> = {
  dev: { kubeVersion: 'v1.35.0', apiVersions: ['apps/v1', 'networking.k8s.io/v1', 'v1'] },
  staging: { kubeVersion: 'v1.34.2', apiVersions: ['apps/v1', 'networking.k8s.io/v1', 'v1'] },
  prod: { kubeVersion: 'v1.33.5', apiVersions: ['apps/v1', 'networking.k8s.io/v1', 'policy/v1', 'v1'] },
};

export async function helmRenderMany(
  count = 100,
  charts = 10,
  concurrency = 2,
): Promise<Record<string, number>> {
  const root = await mkdtemp(join(tmpdir(), 'sluice-bench-helm-many-'));
  try {
    const chartRoots = await Promise.all(
      Array.from({ length: charts }, async (_, c) => {
        const dir = join(root, `source-${c}`);
        await writeBenchChart(dir, `chart-${c}`);
        return dir;
      }),
    );
    const clusters = Object.keys(CLUSTERS);
    // Teams in several namespaces release the same charts, with the chart's values, into `apps` of each
    // cluster: HelmReleases differ (name, namespace, so origin labels) while their helm inputs repeat.
    const jobs = Array.from({ length: count }, (_, i) => {
      const c = i % charts;
      const cluster = clusters[i % clusters.length] as string;
      const record: HelmReleaseRecord = benchRelease({
        cluster,
        name: `chart-${c}`,
        chart: `chart-${c}`,
        values: { logLevel: `level-${c}`, components: { api: { replicaCount: 1 + c } } },
      });
      record.helmRelease.metadata = {
        ...record.helmRelease.metadata,
        name: `r${i}`,
        namespace: `team-${i % 4}`,
      };
      record.helmRelease.spec.targetNamespace = 'apps';
      const inputs: RenderInputs = {
        sourceRoot: chartRoots[c] as string,
        sourceDigest: `sha256:chart-${c}`,
        configs: [],
        strictSubstitution: false,
        allowRemoteBases: false,
        capabilities: CLUSTERS[cluster],
      };
      return { record, inputs, input: `${c}/${cluster}` };
    });
    // A fleet renders cluster by cluster.
    jobs.sort((a, b) => a.record.cluster.localeCompare(b.record.cluster));
    const distinct = new Set(jobs.map((j) => j.input)).size;

    const deps = createLocalRenderDeps();
    const helm = deps.helm as HelmTemplate;
    let helmRuns = 0;
    const counting: HelmTemplate = {
      version: helm.version,
      locateChart: (dir) => helm.locateChart(dir),
      template: (input) => {
        helmRuns++;
        return helm.template(input);
      },
    };
    const renderer = helmReleaseRenderer({ ...deps, helm: counting });
    let next = 0;
    const start = performance.now();
    const worker = async () => {
      for (let i = next++; i < jobs.length; i = next++) {
        const job = jobs[i] as (typeof jobs)[number];
        await renderer.render(job.record, job.inputs);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - start) / 1000;
    return {
      helm_render_100_releases_s: round(seconds * (100 / count)),
      helm_renders_per_distinct_input: round(helmRuns / distinct, 3),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
