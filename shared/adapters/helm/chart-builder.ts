// Builds a HelmChart's artifact as source-controller does: fetch the chart (repository index, OCI
// registry, or a directory of a Git/OCI snapshot), set the version, merge values files, vendor
// dependencies, then store the chart read-only under the digest of its deterministic tar.
// Inputs seen before (same archive digest, or same chart files) reuse the earlier build.
import { createHash } from 'node:crypto';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { ChartMetadata } from '../../core/chart/chart-metadata.ts';
import { versionWithRevision } from '../../core/chart/chart-version.ts';
import { SluiceError } from '../../core/errors.ts';
import { normalizeInside, secureJoin } from '../../core/paths/secure-join.ts';
import type { ChartBuilder, ChartBuildRequest, ChartSnapshot } from '../../ports/chart-builder.ts';
import type { HelmRepositoryClient } from '../../ports/helm-repository.ts';
import type { OciRegistryClient } from '../../ports/oci-registry.ts';
import { packTar } from '../archive/tar-gz.ts';
import { BuiltCharts, buildKey } from './built-charts.ts';
import { type DependencyContext, planChartDependencies, vendorDependencies } from './chart-dependencies.ts';
import { copyChartDir, readChartMetadata, unpackChartArchive } from './chart-files.ts';
import { type LocatedChart, locateInIndex, locateInOci } from './chart-pull.ts';
import { writeMergedValues } from './chart-values.ts';

export interface HelmChartBuilderOptions {
  /** Built charts live in `<workDir>/<digest hex>/<name>/`; staging happens beside them. */
  workDir: string;
  helmRepositories: HelmRepositoryClient;
  oci: OciRegistryClient;
}

/** A chart staged for the build: its directory, and where values files and file:// deps resolve. */
interface StagedChart {
  dir: string;
  /** The source snapshot (Git/OCI) or the chart itself (repository charts). */
  root: string;
  /** The chart's path inside `root`, for file:// dependencies; undefined for packaged charts. */
  pathInRoot: string | undefined;
}

export class HelmChartBuilder implements ChartBuilder {
  private readonly opts: HelmChartBuilderOptions;
  private readonly built: BuiltCharts;

  constructor(opts: HelmChartBuilderOptions) {
    this.opts = opts;
    this.built = new BuiltCharts(opts.workDir);
  }

  async build(req: ChartBuildRequest): Promise<ChartSnapshot> {
    const snapshot = (b: { name: string; version: string; digest: string; dir: string }): ChartSnapshot => ({
      ...b,
      revision: b.version,
      changed: b.digest !== req.lastDigest,
    });
    const values = {
      valuesFiles: req.valuesFiles ?? [],
      ignoreMissing: req.ignoreMissingValuesFiles ?? false,
    };
    // Never shared across scopes: the build holds what the scope's credentials downloaded.
    const scope = req.scope === undefined ? {} : { scope: req.scope };
    const located = await this.locate(req);
    // A repository chart whose archive digest is known: no download when it was built before.
    let key =
      located?.identity === undefined
        ? undefined
        : buildKey({ archive: located.identity, ...values, ...scope });
    const earlier = key === undefined ? undefined : await this.built.lookup(key);
    if (earlier) return snapshot(earlier);
    await mkdir(this.opts.workDir, { recursive: true });
    const staging = await mkdtemp(join(this.opts.workDir, '.staging-'));
    try {
      const chart = await this.fetchChart(req, located, staging);
      const meta = await readChartMetadata(chart.dir, `chart ${req.chart}`);
      const version = await this.setVersion(req, chart.dir, meta);
      await writeMergedValues(
        chart.dir,
        chart.root,
        values.valuesFiles,
        values.ignoreMissing,
        chart.pathInRoot === undefined ? 'chart' : 'source',
      );
      if (chart.pathInRoot !== undefined) {
        const deps = this.dependencyContext(req, chart.dir, chart.root, chart.pathInRoot);
        const plan = await planChartDependencies(chart.dir, meta);
        await vendorDependencies(deps, meta, plan, 'local');
        key = await sourceChartKey(chart.dir, scope);
        const same = await this.built.lookup(key);
        if (same) return snapshot(same);
        await vendorDependencies(deps, meta, plan, 'remote');
      }
      const { digest, dir } = await this.store(staging, chart.dir, meta.name);
      if (key !== undefined) await this.built.remember(key, { name: meta.name, version, digest });
      return snapshot({ name: meta.name, version, digest, dir });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  private dependencyContext(
    req: ChartBuildRequest,
    chartDir: string,
    sourceRoot: string,
    chartPath: string,
  ): DependencyContext {
    return {
      chartDir,
      sourceRoot,
      chartPath,
      repositories: this.opts.helmRepositories,
      oci: this.opts.oci,
      access: req.dependencies,
    };
  }

  /** Step 1: a repository chart's version picked (from the stored index, or the registry's tags). */
  private async locate(req: ChartBuildRequest): Promise<LocatedChart | undefined> {
    const origin = req.origin;
    if (origin.kind !== 'HelmRepository') return undefined;
    const range = req.version ?? '';
    if (origin.type === 'oci') return locateInOci(this.opts.oci, origin.url, req.chart, range, origin.access);
    const index = await storedIndex(origin.indexDir);
    return locateInIndex(this.opts.helmRepositories, origin.url, index, req.chart, range, origin.access);
  }

  /** Step 2: the chart's files in `staging`, wherever they come from. */
  private async fetchChart(
    req: ChartBuildRequest,
    located: LocatedChart | undefined,
    staging: string,
  ): Promise<StagedChart> {
    const origin = req.origin;
    const unpacked = join(staging, 'unpacked');
    if (located !== undefined) {
      const bytes = await located.download();
      const dir = await unpackChartArchive(bytes, unpacked, `${req.chart}-${located.version}.tgz`);
      return { dir, root: dir, pathInRoot: undefined };
    }
    if (origin.kind === 'HelmRepository') throw new Error('a HelmRepository chart is located first');
    const pathInRoot = normalizeInside(req.chart);
    const source = secureJoin(origin.dir, req.chart, 'spec.chart');
    const stats = await stat(source).catch(() => undefined);
    if (stats === undefined) {
      throw new SluiceError(
        'ArtifactNotFound',
        `chart path ${JSON.stringify(req.chart)} does not exist in the ${origin.kind} revision ${origin.revision}; check spec.chart`,
        { field: 'spec.chart' },
      );
    }
    if (stats.isFile()) {
      // A packaged chart committed to the source: used as it is, like a repository's archive.
      const dir = await unpackChartArchive(await readFile(source), unpacked, req.chart);
      return { dir, root: origin.dir, pathInRoot: undefined };
    }
    const dir = join(staging, 'copied', 'chart');
    await copyChartDir(origin.dir, source, dir, `spec.chart ${req.chart}`);
    return { dir, root: origin.dir, pathInRoot };
  }

  /** Step 3: the artifact's version, with Flux's `+<revision>` under reconcileStrategy Revision. */
  private async setVersion(req: ChartBuildRequest, dir: string, meta: ChartMetadata): Promise<string> {
    const origin = req.origin;
    if (origin.kind === 'HelmRepository' || req.reconcileStrategy !== 'Revision') return meta.version;
    const version = versionWithRevision(meta.version, origin.revision);
    const doc = parseDocument(await readFile(join(dir, 'Chart.yaml'), 'utf8'));
    doc.set('version', version);
    await writeFile(join(dir, 'Chart.yaml'), doc.toString());
    return version;
  }

  /** Last step: the chart under `<workDir>/<hex>/<name>/`, read-only; an equal earlier build is reused. */
  private async store(
    staging: string,
    chartDir: string,
    name: string,
  ): Promise<{ digest: string; dir: string }> {
    const final = join(staging, 'final');
    await mkdir(final);
    await rename(chartDir, join(final, name));
    const hex = createHash('sha256')
      .update(await packTar(final))
      .digest('hex');
    const out = join(this.opts.workDir, hex);
    if (!(await exists(out))) {
      await setModes(final, 'read-only');
      try {
        await rename(final, out);
      } catch (err) {
        // Staging is removed afterwards, which a read-only tree would not allow without root.
        await setModes(final, 'writable');
        // Built concurrently by another reconcile: the same digest means the same files.
        if (!(await exists(out))) throw err;
      }
    }
    return { digest: `sha256:${hex}`, dir: out };
  }
}

/**
 * A source chart is keyed by its files as they stand before downloads (version, values and file://
 * charts in place): the same files reuse what was downloaded before, as Flux keeps a built chart until
 * its version changes; a moved dependency range is picked up with the next change to the chart.
 */
async function sourceChartKey(chartDir: string, scope: { scope?: string }): Promise<string> {
  return buildKey({
    ...scope,
    files: createHash('sha256')
      .update(await packTar(chartDir))
      .digest('hex'),
  });
}

async function storedIndex(indexDir: string): Promise<Buffer> {
  try {
    return await readFile(join(indexDir, 'index.yaml'));
  } catch {
    throw new SluiceError(
      'ArtifactNotFound',
      'the HelmRepository has no stored index yet; wait for its fetch to succeed',
      { retryable: true },
    );
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

async function setModes(dir: string, to: 'read-only' | 'writable'): Promise<void> {
  const [file, exe, folder] = to === 'read-only' ? [0o444, 0o555, 0o555] : [0o644, 0o755, 0o755];
  await chmod(dir, folder);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await setModes(path, to);
    else await chmod(path, ((await stat(path)).mode & 0o100) !== 0 ? exe : file);
  }
}
