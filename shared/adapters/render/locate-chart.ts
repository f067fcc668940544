// Finds the chart in a chart snapshot (a .tgz at its root, Chart.yaml at its root, or the one subdirectory
// holding Chart.yaml) and reads its Chart.yaml: what a release record shows as the chart's metadata.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SluiceError } from '../../core/errors.ts';
import type { HelmChartMeta } from '../../core/helm/helm-release-apply.ts';
import { parseYaml11 } from '../../core/render/yaml-codec.ts';
import { readTarGz } from '../archive/tar-gz.ts';
import { CHART_LIMITS } from '../helm/chart-files.ts';

const MAX_CHART_ARCHIVE_BYTES = 64 * 1024 ** 2;

export async function locateChart(snapshotDir: string): Promise<string> {
  const entries = await readdir(snapshotDir, { withFileTypes: true }).catch(() => {
    throw new SluiceError('PathNotFound', 'the chart snapshot is missing', { retryable: true });
  });
  const archives = entries.filter((e) => e.isFile() && e.name.endsWith('.tgz'));
  if (archives.length === 1) return join(snapshotDir, (archives[0] as { name: string }).name);
  if (entries.some((e) => e.isFile() && e.name === 'Chart.yaml')) return snapshotDir;
  const charts: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const isChart = await stat(join(snapshotDir, e.name, 'Chart.yaml')).then(
      (s) => s.isFile(),
      () => false,
    );
    if (isChart) charts.push(join(snapshotDir, e.name));
  }
  if (charts.length === 1) return charts[0] as string;
  throw new SluiceError(
    'ArtifactNotFound',
    `the chart snapshot holds ${charts.length === 0 && archives.length === 0 ? 'no chart' : 'more than one chart'}; it should hold one chart directory or archive`,
    { retryable: false },
  );
}

/** Chart.yaml of a chart directory or archive, as HelmChartMeta. */
export async function readChartMeta(chartPath: string): Promise<HelmChartMeta> {
  let text: string;
  if (chartPath.endsWith('.tgz')) {
    const bytes = await readFile(chartPath);
    if (bytes.length > MAX_CHART_ARCHIVE_BYTES)
      throw new SluiceError('LimitExceeded', 'the chart archive is larger than 64 MiB', { retryable: false });
    const files = await readTarGz(bytes, CHART_LIMITS);
    const chartYaml = [...files.keys()].filter((p) => /^[^/]+\/Chart\.yaml$/.test(p));
    if (chartYaml.length !== 1)
      throw new SluiceError('ArchiveRejected', 'the chart archive has no single <chart>/Chart.yaml', {
        retryable: false,
      });
    text = (files.get(chartYaml[0] as string) as Buffer).toString('utf8');
  } else {
    text = await readFile(join(chartPath, 'Chart.yaml'), 'utf8').catch(() => {
      throw new SluiceError('ArtifactNotFound', 'the chart has no Chart.yaml', { retryable: false });
    });
  }
  const parsed = parseYaml11(text);
  const metadata = 'value' in parsed ? parsed.value : undefined;
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata))
    throw new SluiceError('InvalidManifest', "the chart's Chart.yaml is not a map", { file: 'Chart.yaml' });
  const map = metadata as Record<string, unknown>;
  return {
    name: String(map.name ?? ''),
    version: String(map.version ?? ''),
    ...(map.appVersion !== undefined && map.appVersion !== null && { appVersion: String(map.appVersion) }),
    metadata: map,
  };
}
