// Sluice's full HelmRelease render against the bundled helm run directly with the same flags on the same
// chart and values, in the same run, so the ratio is what Sluice adds.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveToolPath } from '../shared/adapters/render/tool-paths.ts';
import { createLocalRenderDeps } from '../shared/config/render-deps.ts';
import { helmTemplateArgs } from '../shared/core/helm/helm-template-args.ts';
import { mergeReleaseValues } from '../shared/core/helm/merge-release-values.ts';
import {
  HELM_DEFAULT_CAPABILITIES,
  helmReleaseRenderer,
} from '../shared/usecases/renderers/helm-release-renderer.ts';
import { benchRelease, writeBenchChart } from './helm-bench-chart.ts';
import { median, round, run } from './measure.ts';

export async function helmRenderOverhead(runs = 7): Promise<Record<string, number>> {
  const root = await mkdtemp(join(tmpdir(), 'sluice-bench-helm-'));
  try {
    const chartDir = await writeBenchChart(root);
    const record = benchRelease({
      cluster: 'prod',
      name: 'shop',
      chart: 'bench',
      values: { logLevel: 'debug', components: { api: { replicaCount: 3 } } },
    });
    // No render cache: every run is a real helm run, as the first render of an input is.
    const renderer = helmReleaseRenderer({ ...createLocalRenderDeps(), cache: undefined });
    const inputs = {
      sourceRoot: root,
      sourceDigest: 'sha256:bench',
      configs: [],
      strictSubstitution: false,
      allowRemoteBases: false,
    };
    const render = () => renderer.render(record, inputs);

    // Bare helm: the same argv the renderer builds, the values written once, throwaway HELM_* homes.
    const home = join(root, 'home');
    const valuesFile = join(root, 'values.yaml');
    const hr = record.helmRelease;
    await writeFile(valuesFile, JSON.stringify(mergeReleaseValues(hr, () => undefined)));
    const args = helmTemplateArgs(
      {
        releaseName: hr.spec.releaseName,
        namespace: hr.spec.targetNamespace ?? hr.metadata.namespace,
        isUpgrade: false,
        includeCrds: hr.spec.install.crds !== 'Skip',
        disableHooks: hr.spec.install.disableHooks,
        capabilities: HELM_DEFAULT_CAPABILITIES,
      },
      chartDir,
      valuesFile,
    );
    const env = {
      HOME: home,
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
      KUBECONFIG: '/dev/null',
    };
    const bare = () => run(resolveToolPath('helm'), args, { env });

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
      helm_render_ms: round(sluiceMs / 3),
      helm_template_bare_ms: round(bareMs / 3),
      helm_render_overhead_ratio: round(sluiceMs / bareMs, 3),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
