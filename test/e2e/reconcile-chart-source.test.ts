// `sluice reconcile source helm|chart NAME` and `sluice status` through the real CLI entry against the
// embedded control plane: a HelmRepository reconciled moves the HelmChart built from it, a HelmChart is found
// by its name, an unknown name lists the known ones of that kind only, and the status table shows a chart
// as name@version with a short digest.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatStatus } from '../../cli/commands/status.ts';
import { type ChartRepoServer, startChartRepoServer } from '../support/chart-repo-server.ts';
import { type Harness, startHarness, WEBHOOK_SECRET } from '../support/pipeline-harness.ts';
import { type CliRun, runCli } from '../support/run-cli.ts';

let h: Harness;
let charts: ChartRepoServer;

const chart = (name: string, version: string) => `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 1h
  chart: hello
  version: "${version}"
  sourceRef:
    kind: HelmRepository
    name: charts
`;

beforeAll(async () => {
  charts = await startChartRepoServer();
  await charts.addCharts([{ name: 'hello', version: '1.0.0' }]);
  const sources = `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: charts
  namespace: flux-system
spec:
  interval: 1h
  url: ${charts.url}
---
${chart('hello', '1.x')}---
${chart('hello-pinned', '1.0.0')}`;
  h = await startHarness({
    files: { 'clusters/dev/chart-sources.yaml': sources },
    settings: { allowedSourceHosts: [charts.origin] },
  });
  await h.start();
}, 90_000);

afterAll(async () => {
  await h?.close();
  await charts?.close();
});

/** The real `sluice` entry, finding the control plane by --api and its secret in the environment. */
function sluice(...args: string[]): Promise<CliRun> {
  return runCli([...args, '--api', h.plane.apiUrl], {
    cwd: h.root,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: h.dataDir,
      SLUICE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      XDG_CONFIG_HOME: join(h.dataDir, 'no-config'),
    },
  });
}

const chartOf = async (name: string) =>
  (await h.status()).sources.find(
    (s) => s.kind === 'HelmChart' && s.declarers.some((d) => d.name === name && d.cluster === 'dev'),
  )?.chart;

describe('sluice reconcile source helm|chart', () => {
  it('reconciling the HelmRepository moves the HelmChart built from it to the newest version in range', async () => {
    expect(await h.waitFor('the chart built', () => chartOf('hello'))).toEqual({
      name: 'hello',
      version: '1.0.0',
    });
    await charts.addCharts([{ name: 'hello', version: '1.1.0' }]);
    const run = await sluice('reconcile', 'source', 'helm', 'charts');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'fetch requested for HelmRepository/flux-system/charts (cluster dev) (1 source)',
    );
    await h.waitFor('the chart moved', async () =>
      (await chartOf('hello'))?.version === '1.1.0' ? true : undefined,
    );
    expect(await chartOf('hello-pinned')).toEqual({ name: 'hello', version: '1.0.0' });
  });

  it('finds a HelmChart by NAME or NAMESPACE/NAME', async () => {
    for (const name of ['hello-pinned', 'flux-system/hello-pinned']) {
      const run = await sluice('reconcile', 'source', 'chart', name);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      // Exactly the named HelmChart: not the other HelmChart of the same chart and source.
      expect(run.stdout).toMatch(
        /^► fetch requested for HelmChart\/flux-system\/hello-pinned \(cluster dev\) \(1 source\)/,
      );
    }
  });

  it('an unknown name lists the known names of that kind only', async () => {
    const chartRun = await sluice('reconcile', 'source', 'chart', 'nope');
    expect(chartRun.code).not.toBe(0);
    // The message is the point: it names what can be asked for, and nothing of another kind.
    expect(chartRun.stderr).toContain(
      'no HelmChart flux-system/nope; known HelmCharts: flux-system/flux-system-hello, flux-system/hello, flux-system/hello-pinned',
    );
    expect(chartRun.stderr).not.toContain('flux-system/charts');
    const helmRun = await sluice('reconcile', 'source', 'helm', 'hello');
    expect(helmRun.code).not.toBe(0);
    expect(helmRun.stderr).toContain(
      'no HelmRepository flux-system/hello; known HelmRepositories: flux-system/charts',
    );
  });

  it('sluice status shows the chart as name@version with a 19-character digest', async () => {
    const run = await sluice('status');
    expect(run.code).toBe(0);
    const row = run.stdout.split('\n').find((l) => l.startsWith('HelmChart/flux-system/hello (cluster dev)'));
    expect(row).toMatch(
      / {2}HelmRepository\/flux-system\/charts#hello {2,}hello@1\.1\.0 {2,}sha256:[0-9a-f]{12} {2,}\S/,
    );
    const repo = run.stdout
      .split('\n')
      .find((l) => l.startsWith('HelmRepository/flux-system/charts (cluster dev)'));
    expect(repo).toContain(charts.url);
    expect(repo).toMatch(/sha256:[0-9a-f]{64} {2,}sha256:[0-9a-f]{12} {2,}/);
    // The same table from the view in one piece: formatStatus is what the command prints.
    expect(formatStatus(await h.status())).toContain('hello@1.1.0');
  });
});
