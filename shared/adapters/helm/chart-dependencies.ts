// Vendors a chart's missing dependencies into its charts/ folder as `helm dependency build` would, so
// a render never needs the network: file:// charts copied, repository and OCI charts downloaded as archives.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import {
  type ChartDependency,
  type ChartMetadata,
  parseChartMetadata,
  parseDependencyFile,
} from '../../core/chart/chart-metadata.ts';
import { type PlannedDependency, planDependencies } from '../../core/chart/dependency-plan.ts';
import { isSluiceError, SluiceError } from '../../core/errors.ts';
import { redactUrl } from '../../core/git/select-ref.ts';
import { parseRange, parseTagVersion } from '../../core/git/semver-range.ts';
import { normalizeInside } from '../../core/paths/secure-join.ts';
import type { DependencyAccess } from '../../ports/chart-builder.ts';
import type { HelmRepositoryClient } from '../../ports/helm-repository.ts';
import type { OciRegistryClient } from '../../ports/oci-registry.ts';
import { readTarGz } from '../archive/tar-gz.ts';
import { CHART_LIMITS, copyChartDir, readChartMetadata } from './chart-files.ts';
import { locateInOci, locateInRepository, MAX_CHART_ARCHIVE_BYTES } from './chart-pull.ts';

export interface DependencyContext {
  /** The staged copy of the chart, whose charts/ folder receives the dependencies. */
  chartDir: string;
  /** The source snapshot the chart came from, and the chart's path in it (for file:// dependencies). */
  sourceRoot: string;
  chartPath: string;
  repositories: HelmRepositoryClient;
  oci: OciRegistryClient;
  access: DependencyAccess;
}

/** The dependencies missing from charts/, in declaration order. */
export async function planChartDependencies(
  chartDir: string,
  meta: ChartMetadata,
): Promise<PlannedDependency[]> {
  const declared = await declaredDependencies(chartDir, meta);
  if (declared.length === 0) return [];
  return planDependencies(declared, await presentCharts(chartDir), `chart ${meta.name}`);
}

/**
 * Vendors the planned dependencies of one locality: `local` the file:// ones (their files are part of
 * what the build is keyed on), otherwise those from repositories and registries.
 */
export async function vendorDependencies(
  ctx: DependencyContext,
  meta: ChartMetadata,
  plan: readonly PlannedDependency[],
  which: 'local' | 'remote',
): Promise<void> {
  for (const planned of plan) {
    if ((planned.kind === 'file') !== (which === 'local')) continue;
    try {
      await vendorOne(ctx, planned);
    } catch (err) {
      throw inDependency(err, planned.dep, `chart ${meta.name}`);
    }
  }
}

async function vendorOne(ctx: DependencyContext, planned: PlannedDependency): Promise<void> {
  const { dep } = planned;
  const chartsDir = join(ctx.chartDir, 'charts');
  if (planned.kind === 'file') {
    const rel = normalizeInside(posix.join(ctx.chartPath, planned.path));
    if (rel === undefined || planned.path.startsWith('/')) {
      throw new SluiceError(
        'PathEscapesRoot',
        `file://${planned.path} points outside the source; a file:// dependency must stay inside it`,
      );
    }
    const from = join(ctx.sourceRoot, rel);
    const to = join(chartsDir, dep.name);
    await copyChartDir(ctx.sourceRoot, from, to, `file://${planned.path}`);
    const meta = await readChartMetadata(to, `file://${planned.path}`);
    checkVersion(dep, meta.version);
    return;
  }
  const access = (await ctx.access.accessFor(planned.url)) ?? {};
  const located =
    planned.kind === 'repository'
      ? await locateInRepository(ctx.repositories, planned.url, dep.name, dep.version, access)
      : await locateInOci(ctx.oci, planned.url, dep.name, dep.version, access);
  const pulled = { version: located.version, bytes: await located.download() };
  const meta = await archiveMetadata(pulled.bytes, `${dep.name}-${pulled.version}.tgz`);
  if (meta.name !== dep.name) {
    throw new SluiceError(
      'ValidationFailed',
      `the archive downloaded for version ${pulled.version} holds chart ${JSON.stringify(meta.name)}, not ${JSON.stringify(dep.name)}`,
    );
  }
  await mkdir(chartsDir, { recursive: true });
  await writeFile(join(chartsDir, `${meta.name}-${meta.version}.tgz`), pulled.bytes, { flag: 'wx' });
}

/** v2: Chart.yaml; v1: requirements.yaml. A lock file, when present, pins them (as Flux reads it). */
async function declaredDependencies(chartDir: string, meta: ChartMetadata): Promise<ChartDependency[]> {
  const [declaredFile, lockFile] =
    meta.apiVersion === 'v1' ? ['requirements.yaml', 'requirements.lock'] : [undefined, 'Chart.lock'];
  const lock = await optionalText(join(chartDir, lockFile));
  if (lock !== undefined) return parseDependencyFile(lock, `${meta.name}/${lockFile}`);
  if (declaredFile === undefined) return meta.dependencies;
  const text = await optionalText(join(chartDir, declaredFile));
  return text === undefined ? meta.dependencies : parseDependencyFile(text, `${meta.name}/${declaredFile}`);
}

/** Names of the charts already in charts/ (directories with a Chart.yaml, chart archives). */
async function presentCharts(chartDir: string): Promise<Set<string>> {
  const names = new Set<string>();
  let entries: { name: string; isDirectory(): boolean; isFile(): boolean }[];
  try {
    entries = await readdir(join(chartDir, 'charts'), { withFileTypes: true });
  } catch {
    return names;
  }
  for (const e of entries) {
    const path = join(chartDir, 'charts', e.name);
    if (e.isDirectory()) {
      const text = await optionalText(join(path, 'Chart.yaml'));
      if (text !== undefined) names.add(parseChartMetadata(text, `charts/${e.name}/Chart.yaml`).name);
    } else if (e.isFile() && e.name.endsWith('.tgz')) {
      names.add((await archiveMetadata(await readFile(path), `charts/${e.name}`)).name);
    }
  }
  return names;
}

/** Chart.yaml of a chart archive (`<dir>/Chart.yaml` at its top level). */
async function archiveMetadata(bytes: Buffer, where: string): Promise<ChartMetadata> {
  if (bytes.length > MAX_CHART_ARCHIVE_BYTES) {
    throw new SluiceError('LimitExceeded', `chart archive ${where} is larger than 64 MiB`, { file: where });
  }
  const files = await readTarGz(bytes, CHART_LIMITS);
  const chartYaml = [...files.keys()].filter((p) => /^[^/]+\/Chart\.yaml$/.test(p));
  if (chartYaml.length !== 1) {
    throw new SluiceError('ArchiveRejected', `chart archive ${where} has no single <chart>/Chart.yaml`, {
      file: where,
    });
  }
  const path = chartYaml[0] as string;
  return parseChartMetadata((files.get(path) as Buffer).toString('utf8'), `${where}:${path}`);
}

function checkVersion(dep: ChartDependency, version: string): void {
  if (dep.version === '') return;
  const range = parseRange(dep.version);
  const parsed = parseTagVersion(version);
  if (range === undefined) {
    throw new SluiceError('ValidationFailed', `version ${JSON.stringify(dep.version)} is not a semver range`);
  }
  if (parsed === undefined || !range.test(parsed)) {
    throw new SluiceError(
      'ArtifactNotFound',
      `the chart at ${dep.repository} has version ${version}, which ${JSON.stringify(dep.version)} does not admit`,
    );
  }
}

async function optionalText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The same error, its message saying which dependency of which chart it concerns. */
function inDependency(err: unknown, dep: ChartDependency, where: string): unknown {
  if (!isSluiceError(err)) return err;
  const from = dep.repository ? ` from ${redactUrl(dep.repository)}` : '';
  return new SluiceError(err.code, `dependency ${dep.name}${from} of ${where}: ${err.message}`, {
    retryable: err.retryable,
    cause: err,
    ...(err.file === undefined ? {} : { file: err.file }),
    ...(err.field === undefined ? {} : { field: err.field }),
  });
}
