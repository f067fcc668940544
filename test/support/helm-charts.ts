// Fixture charts for tests: writes a chart directory (Chart.yaml, values, templates) and packages it with
// the real bundled helm, under throwaway HELM_* homes so no test reads or writes the user's helm config.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { resolveToolPath } from '../../shared/adapters/render/tool-paths.ts';

export interface FixtureChart {
  name: string;
  version: string;
  appVersion?: string;
  description?: string;
  /** Extra Chart.yaml text appended as is (dependencies:, keywords:, …). */
  chartYamlExtra?: string;
  /** values.yaml; a small default when absent. */
  values?: string;
  /** templates/<name> → text; one ConfigMap when absent. */
  templates?: Record<string, string>;
  /** Any other file, relative to the chart directory (charts/…, files/…). */
  files?: Record<string, string>;
}

/** Environment for the bundled helm: every HELM_* home in `home`, nothing inherited but PATH. */
export function helmEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
    // Only the loopback stand-ins are ever reached: no proxy may take the request elsewhere.
    NO_PROXY: '*',
  };
}

export interface HelmRun {
  stdout: string;
  stderr: string;
}

/** Runs the bundled helm; rejects with its stderr on a non-zero exit. */
export function runHelm(args: string[], opts: { home: string; cwd?: string }): Promise<HelmRun> {
  const helm = resolveToolPath('helm');
  return new Promise((resolve, reject) => {
    execFile(
      helm,
      args,
      { cwd: opts.cwd, env: helmEnv(opts.home), maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`helm ${args.join(' ')}: ${stderr || err.message}`))
          : resolve({ stdout, stderr }),
    );
  });
}

/** A fresh HELM_* home for one test (the caller removes it with its own temp root). */
export function makeHelmHome(parent?: string): Promise<string> {
  return mkdtemp(join(parent ?? tmpdir(), 'sluice-helm-home-'));
}

function chartYaml(chart: FixtureChart): string {
  return [
    'apiVersion: v2',
    `name: ${chart.name}`,
    `version: ${chart.version}`,
    `description: ${JSON.stringify(chart.description ?? `The ${chart.name} fixture chart`)}`,
    'type: application',
    ...(chart.appVersion ? [`appVersion: ${JSON.stringify(chart.appVersion)}`] : []),
    ...(chart.chartYamlExtra ? [chart.chartYamlExtra.trimEnd()] : []),
    '',
  ].join('\n');
}

const DEFAULT_TEMPLATE = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: {{ .Release.Name }}-{{ .Chart.Name }}',
  'data:',
  '  greeting: {{ .Values.greeting | quote }}',
  '  chartVersion: {{ .Chart.Version | quote }}',
  '',
].join('\n');

/** Writes `chart` into `<parent>/<name>` and returns that directory. */
export async function writeChart(parent: string, chart: FixtureChart): Promise<string> {
  const dir = join(parent, chart.name);
  const files: Record<string, string> = {
    'Chart.yaml': chartYaml(chart),
    'values.yaml': chart.values ?? 'greeting: hello\n',
    ...Object.fromEntries(
      Object.entries(chart.templates ?? { 'configmap.yaml': DEFAULT_TEMPLATE }).map(([k, v]) => [
        `templates/${k}`,
        v,
      ]),
    ),
    ...chart.files,
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

/** `helm package` of a chart directory into `destDir`; returns the archive's path. */
export async function packageChart(chartDir: string, destDir: string, home: string): Promise<string> {
  await mkdir(destDir, { recursive: true });
  const { stdout } = await runHelm(['package', chartDir, '--destination', destDir], { home });
  const path = /saved it to: (.+\.tgz)\s*$/m.exec(stdout)?.[1];
  if (!path) throw new Error(`helm package printed no archive path: ${stdout}`);
  return path.trim();
}

/**
 * Writes and packages every chart into `repoDir` (sources in a scratch folder) and indexes it
 * with `helm repo index`: `url` makes the entries' URLs absolute, without it they are relative file names.
 */
export async function buildChartRepo(
  repoDir: string,
  charts: readonly FixtureChart[],
  opts: { home: string; url?: string; json?: boolean },
): Promise<void> {
  await mkdir(repoDir, { recursive: true });
  const scratch = await mkdtemp(join(tmpdir(), 'sluice-chart-src-'));
  try {
    for (const [i, chart] of charts.entries()) {
      // One folder per chart version: two versions of one chart share a name.
      const chartDir = await writeChart(join(scratch, String(i)), chart);
      await packageChart(chartDir, repoDir, opts.home);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  await indexChartRepo(repoDir, opts);
}

/** `helm repo index` of a directory of packaged charts (YAML, or JSON with `json`). */
export async function indexChartRepo(
  repoDir: string,
  opts: { home: string; url?: string; json?: boolean },
): Promise<void> {
  await runHelm(
    ['repo', 'index', repoDir, ...(opts.url ? ['--url', opts.url] : []), ...(opts.json ? ['--json'] : [])],
    { home: opts.home },
  );
}

/** The archive file names in a served directory. */
export async function chartArchives(repoDir: string): Promise<string[]> {
  return (await readdir(repoDir)).filter((f) => f.endsWith('.tgz')).sort();
}
