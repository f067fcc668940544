// `sluice build helmrelease NAME --file FILE [--values FILE]…`: the manifest a HelmRelease renders to (CRDs,
// objects, hooks), through the control plane's own HelmRelease renderer and the bundled helm; no cluster.
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { HelmChartBuilder } from '../../shared/adapters/helm/chart-builder.ts';
import { HttpHelmRepository } from '../../shared/adapters/helm/http-helm-repository.ts';
import { systemResolver } from '../../shared/adapters/net/system-resolver.ts';
import { HttpOciRegistryClient } from '../../shared/adapters/oci/registry-client.ts';
import type { ConfigData } from '../../shared/api/config-data.ts';
import { findHelmRelease } from '../../shared/api/find-helm-release.ts';
import type { HelmRelease } from '../../shared/api/helm-release.ts';
import { objectRef } from '../../shared/api/object-meta.ts';
import { createDeps } from '../../shared/config/create-deps.ts';
import { mergeValues, type Values } from '../../shared/core/chart/merge-values.ts';
import { SluiceError } from '../../shared/core/errors.ts';
import { checkTemplateFlags, type HelmCapabilities } from '../../shared/core/helm/helm-template-args.ts';
import { mergeReleaseValues } from '../../shared/core/helm/merge-release-values.ts';
import type { SourceAddressPolicy } from '../../shared/core/net/source-address-policy.ts';
import { objectsToYaml, parseYaml11 } from '../../shared/core/render/yaml-codec.ts';
import {
  HELM_DEFAULT_CAPABILITIES,
  helmReleaseRenderer,
} from '../../shared/usecases/renderers/helm-release-renderer.ts';
import { CliUsageError } from '../usage-error.ts';

export interface BuildHelmReleaseArgs {
  name: string;
  file: string;
  /** `--values FILE`, merged after everything the HelmRelease declares, in order (as `helm template -f`). */
  valuesFiles: string[];
  namespace: string;
  /** A chart directory or packaged .tgz; otherwise spec.chart's path in the local checkout (`path`). */
  chart?: string;
  /** The local checkout of spec.chart's GitRepository (default: the current directory). */
  path?: string;
  kubeVersion?: string;
  apiVersions: string[];
  isUpgrade: boolean;
  kubectlPath?: string;
  /** Receives the deprecation notes of a HelmRelease written in an older apiVersion (stderr in the CLI). */
  warn?: (line: string) => void;
}

// Chart dependencies named by URL are fetched from public hosts only, as remote bases are.
const PUBLIC_ONLY: SourceAddressPolicy = {
  publicOnly: true,
  allowed: [],
  allowSetting: 'nothing in sluice build (vendor the dependency into charts/ instead)',
};

export async function buildHelmRelease(args: BuildHelmReleaseArgs): Promise<string> {
  const capabilities = capabilitiesOf(args);
  const text = await readUserFile(args.file, '--file');
  const { hr, others, notes } = findHelmRelease(text, args.file, args.name, args.namespace);
  for (const note of notes) args.warn?.(note);
  const ref = objectRef('HelmRelease', hr.metadata);
  const at = (err: unknown, hint?: string) => located(err, args.file, ref, hint);

  const configs = others.filter((o): o is ConfigData => o.kind === 'ConfigMap' || o.kind === 'Secret');
  let values: Values;
  try {
    values = mergeReleaseValues(hr, (kind, namespace, name) =>
      configs.find(
        (c) =>
          c.kind === kind &&
          c.metadata.name === name &&
          // A ConfigMap written without a namespace sits beside the HelmRelease, as kubectl apply -n would put it.
          (c.metadata.namespace === namespace || !c.metadata.namespace),
      ),
    );
  } catch (err) {
    throw at(
      err,
      `sluice build reads valuesFrom objects from the other documents of ${args.file}: put the object there, or set optional: true`,
    );
  }
  for (const file of args.valuesFiles) values = mergeValues(values, await readValuesFile(file));
  // The merge is done: the renderer sees it as spec.values alone and merges nothing more.
  const local: HelmRelease = { ...hr, spec: { ...hr.spec, values, valuesFrom: [] } };

  const scratch = await mkdtemp(join(tmpdir(), 'sluice-build-helmrelease-'));
  try {
    const sourceRoot = await chartSnapshot(hr, args, scratch).catch((err: unknown) => {
      // A mistake in --chart is the flag's, not the HelmRelease's: said as it is.
      if (args.chart && err instanceof SluiceError && err.code === 'UsageError') throw err;
      if (err instanceof SluiceError && err.code === 'UsageError' && err.message.startsWith('invalid --path'))
        throw err;
      const fromCheckout = !args.chart && err instanceof SluiceError && err.code !== 'UsageError';
      throw at(
        err,
        fromCheckout
          ? `sluice build reads spec.chart.spec.chart from the local checkout ${resolve(args.path ?? '.')} (--path, default: the current directory)`
          : undefined,
      );
    });
    const deps = (await createDeps('cli', { ...(args.kubectlPath && { kubectlPath: args.kubectlPath }) }))
      .render;
    const result = await helmReleaseRenderer(deps)
      .render(
        { cluster: 'local', helmRelease: local, sourceKey: 'local', parent: null },
        {
          sourceRoot,
          sourceDigest: `local:${sourceRoot}`,
          configs: [],
          strictSubstitution: false,
          allowRemoteBases: false,
          ...(capabilities && { capabilities }),
          releaseExists: args.isUpgrade,
        },
      )
      .catch((err: unknown) => {
        throw at(
          err,
          err instanceof SluiceError && err.code === 'BuildFailed'
            ? 'fix the chart or the values (spec.values, spec.valuesFrom, --values) it was rendered with'
            : undefined,
        );
      });
    return objectsToYaml(result.objects);
  } finally {
    // The chart builder stores its build read-only, as the control plane keeps it.
    await makeWritable(scratch).catch(() => {});
    await rm(scratch, { recursive: true, force: true });
  }
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true }))
    if (entry.isDirectory()) await makeWritable(join(dir, entry.name));
}

/** --kube-version / --api-versions as the cluster's capabilities; neither: helm's defaults, as the renderer has them. */
function capabilitiesOf(args: BuildHelmReleaseArgs): HelmCapabilities | undefined {
  if (!args.kubeVersion && args.apiVersions.length === 0) return undefined;
  const capabilities = {
    kubeVersion: args.kubeVersion ?? HELM_DEFAULT_CAPABILITIES.kubeVersion,
    apiVersions: args.apiVersions.flatMap((v) => v.split(',')).filter((v) => v !== ''),
  };
  try {
    checkTemplateFlags({
      releaseName: 'x',
      namespace: 'x',
      isUpgrade: false,
      includeCrds: false,
      disableHooks: false,
      capabilities,
    });
  } catch (err) {
    const isVersion = err instanceof SluiceError && err.field === 'capabilities.kubeVersion';
    throw new CliUsageError(
      isVersion
        ? `--kube-version ${JSON.stringify(args.kubeVersion)} is not a Kubernetes version; write it like v1.33.1`
        : `--api-versions takes group/version or group/version/Kind (apps/v1, monitoring.coreos.com/v1/ServiceMonitor), got ${JSON.stringify(args.apiVersions.join(','))}`,
    );
  }
  return capabilities;
}

/**
 * A directory the renderer finds one chart in: --chart, or spec.chart built from the local checkout the way
 * source-controller builds a GitRepository chart (valuesFiles merged, dependencies vendored).
 */
async function chartSnapshot(hr: HelmRelease, args: BuildHelmReleaseArgs, scratch: string): Promise<string> {
  if (args.chart) {
    const chart = resolve(args.chart);
    const stats = await stat(chart).catch(() => undefined);
    if (!stats) throw new SluiceError('UsageError', `--chart ${args.chart}: not found`);
    if (stats.isDirectory()) {
      const isChart = await stat(join(chart, 'Chart.yaml')).then(
        (s) => s.isFile(),
        () => false,
      );
      if (!isChart)
        throw new SluiceError(
          'UsageError',
          `--chart ${args.chart} has no Chart.yaml; pass the chart's directory or its packaged .tgz`,
        );
      return chart;
    }
    if (!chart.endsWith('.tgz'))
      throw new SluiceError(
        'UsageError',
        `--chart ${args.chart} is neither a chart directory nor a packaged chart (.tgz)`,
      );
    // The renderer looks for the one archive in a directory: give it one holding only this chart.
    const dir = join(scratch, 'chart');
    await mkdir(dir);
    await copyFile(chart, join(dir, basename(chart)));
    return dir;
  }
  const template = hr.spec.chart?.helmChart.spec;
  if (template?.sourceRef.kind !== 'GitRepository') {
    const from = template
      ? `spec.chart.spec.sourceRef is a ${template.sourceRef.kind} ('${template.sourceRef.name}')`
      : `spec.chartRef is a ${hr.spec.chartRef?.kind} ('${hr.spec.chartRef?.name}')`;
    const pull =
      template?.sourceRef.kind === 'HelmRepository' ? ` (helm pull <repository>/${template.chart})` : '';
    throw new SluiceError(
      'UsageError',
      `${from}: sluice build fetches nothing; download the chart${pull} and pass --chart DIR|TGZ`,
      { field: template ? 'spec.chart.spec.sourceRef' : 'spec.chartRef' },
    );
  }
  const root = resolve(args.path ?? '.');
  const rootStats = await stat(root).catch(() => undefined);
  if (!rootStats?.isDirectory())
    throw new SluiceError(
      'UsageError',
      `invalid --path ${JSON.stringify(args.path)}: ${rootStats ? 'is not a directory' : 'not found'}; pass the local checkout of the chart's GitRepository`,
    );
  const builder = new HelmChartBuilder({
    workDir: join(scratch, 'built'),
    helmRepositories: new HttpHelmRepository({ policy: PUBLIC_ONLY, resolver: systemResolver }),
    oci: new HttpOciRegistryClient({ policy: PUBLIC_ONLY }),
  });
  const built = await builder.build({
    chart: template.chart,
    origin: { kind: 'GitRepository', dir: root, revision: 'local' },
    valuesFiles: template.valuesFiles,
    ignoreMissingValuesFiles: template.ignoreMissingValuesFiles,
    reconcileStrategy: template.reconcileStrategy,
    dependencies: { accessFor: async () => undefined },
  });
  return built.dir;
}

async function readValuesFile(file: string): Promise<Values> {
  const text = await readUserFile(file, '--values');
  const parsed = parseYaml11(text);
  if (!('value' in parsed))
    throw new SluiceError('ValidationFailed', `--values ${file}: not valid YAML: ${parsed.error}`, { file });
  if (parsed.value === null || parsed.value === undefined) return {};
  if (typeof parsed.value !== 'object' || Array.isArray(parsed.value))
    throw new SluiceError(
      'ValidationFailed',
      `--values ${file}: not a YAML map; write values as keys, such as "replicaCount: 2"`,
      { file },
    );
  return parsed.value as Values;
}

async function readUserFile(file: string, flag: string): Promise<string> {
  const stats = await stat(resolve(file)).catch(() => undefined);
  if (!stats || stats.isDirectory())
    throw new SluiceError(
      'UsageError',
      `invalid ${flag} file ${JSON.stringify(file)}: ${stats ? 'is a directory' : 'not found'}`,
    );
  return readFile(resolve(file), 'utf8');
}

/** The error as the control plane words it, led by the file and object when it does not name them yet. */
function located(err: unknown, file: string, ref: string, hint?: string): unknown {
  if (!(err instanceof SluiceError)) return err;
  const where = err.message.startsWith(ref) ? `${file}: ` : `${file}: ${ref}: `;
  return new SluiceError(err.code, `${where}${err.message}${hint ? `; ${hint}` : ''}`, {
    retryable: err.retryable,
    cause: err,
    file,
    object: ref,
    ...(err.field && { field: err.field }),
  });
}
