// HTTP chart repositories cannot carry credentials or requests where they should not go: credentials stay
// with the repository's host and origin unless spec.passCredentials, never travel over plain HTTP off
// loopback, never appear in an error, and every URL an index or a redirect names obeys the address policy.
import { afterAll, describe, expect, it } from 'vitest';
import { HttpHelmRepository } from '../../shared/adapters/helm/http-helm-repository.ts';
import { systemResolver } from '../../shared/adapters/net/system-resolver.ts';
import { parseChartIndex, selectChartVersion } from '../../shared/core/helm/chart-index.ts';
import type { SourceAddressPolicy } from '../../shared/core/net/source-address-policy.ts';
import type { HostResolver } from '../../shared/ports/host-resolver.ts';
import type { RemoteAccess } from '../../shared/ports/remote-access.ts';
import { type ChartRepoServer, startChartRepoServer } from '../support/chart-repo-server.ts';
import { rejectionOf } from '../support/error-of.ts';

const basic = { username: 'fleet', password: 'hunter2' };
const BASIC_B64 = Buffer.from('fleet:hunter2').toString('base64');
const REDIS = [{ name: 'redis', version: '1.0.0' }];

const servers: ChartRepoServer[] = [];
async function serve(...args: Parameters<typeof startChartRepoServer>): Promise<ChartRepoServer> {
  const server = await startChartRepoServer(...args);
  servers.push(server);
  return server;
}

afterAll(async () => {
  for (const s of servers) await s.close();
});

function helm(policy?: SourceAddressPolicy, resolver: HostResolver = systemResolver): HttpHelmRepository {
  return new HttpHelmRepository({
    policy: policy ?? { publicOnly: false, allowed: servers.map((s) => s.origin), allowSetting: 'test' },
    resolver,
  });
}

async function pull(client: HttpHelmRepository, repoUrl: string, access: RemoteAccess) {
  const index = await client.fetchIndex(repoUrl, access);
  if (index.notModified) throw new Error('unexpected 304');
  const entry = selectChartVersion(parseChartIndex(index.bytes, repoUrl), 'redis', '*', repoUrl);
  return client.downloadChart(repoUrl, entry, access);
}

/** A repository behind basic auth that redirects archives to a second origin, the "CDN". */
async function redirecting(cdnAuth: boolean) {
  const cdn = await serve(cdnAuth ? { basicAuth: basic } : {});
  await cdn.addCharts(REDIS);
  const repo = await serve({ dir: cdn.dir, basicAuth: basic, redirectChartsTo: cdn.url });
  await repo.reindex();
  return { repo, cdn };
}

describe('credentials stay with the repository', () => {
  it('are dropped when a chart download redirects to another origin', async () => {
    const { repo, cdn } = await redirecting(false);
    await pull(helm(), repo.url, { credentials: basic });
    expect(repo.requests.map((r) => [r.path, r.authorization, r.status])).toEqual([
      ['/charts/index.yaml', true, 200],
      ['/charts/redis-1.0.0.tgz', true, 302],
    ]);
    expect(cdn.requests.map((r) => [r.path, r.authorization])).toEqual([['/charts/redis-1.0.0.tgz', false]]);
  });

  it('follow the redirect to another origin only with passCredentials', async () => {
    const { repo, cdn } = await redirecting(true);
    const refused = await rejectionOf(pull(helm(), repo.url, { credentials: basic }));
    expect(refused.code).toBe('SourceAuthFailed');
    cdn.clearRequests();
    await pull(helm(), repo.url, { credentials: basic, passCredentials: true });
    expect(cdn.requests.map((r) => [r.path, r.authScheme, r.status])).toEqual([
      ['/charts/redis-1.0.0.tgz', 'basic', 200],
    ]);
  });

  it.each<[string, RemoteAccess]>([
    ['basic credentials', { credentials: basic }],
    ['a bearer token', { credentials: { bearerToken: 'tok-hunter2' } }],
  ])('are not sent with %s to a chart URL on another host unless passCredentials', async (_, access) => {
    const chartHost = await serve();
    await chartHost.addCharts(REDIS);
    const repo = await serve({ dir: chartHost.dir, basicAuth: basic, bearerToken: 'tok-hunter2' });
    await pull(helm(), repo.url, access);
    expect(chartHost.requests.map((r) => r.authorization)).toEqual([false]);
    chartHost.clearRequests();
    await pull(helm(), repo.url, { ...access, passCredentials: true });
    expect(chartHost.requests.map((r) => r.authorization)).toEqual([true]);
  });

  it('never go over plain HTTP off loopback, passCredentials or not', async () => {
    const repo = await serve({ basicAuth: basic });
    await repo.addCharts(REDIS, { chartUrlBase: 'http://charts.example.com/charts' });
    // The chart host resolves to a public address; the refusal comes before any connection.
    const resolver: HostResolver = {
      resolve: async (host) =>
        host === 'charts.example.com' ? ['93.184.216.34'] : systemResolver.resolve(host),
    };
    const client = helm({ publicOnly: false, allowed: [repo.origin], allowSetting: 'test' }, resolver);
    const err = await rejectionOf(pull(client, repo.url, { credentials: basic, passCredentials: true }));
    expect(err.code).toBe('SourceAuthFailed');
    expect(err.message).toContain('plain HTTP');
  });

  it('are refused inside the URL and never echoed', async () => {
    const repo = await serve();
    const url = repo.url.replace('http://', 'http://fleet:hunter2@');
    const err = await rejectionOf(helm().fetchIndex(url, {}));
    expect(err.code).toBe('ValidationFailed');
    expect(err.message).not.toContain('hunter2');
    expect(repo.requests).toEqual([]);
  });

  it('appear in no error message', async () => {
    const repo = await serve({ basicAuth: { username: 'fleet', password: 'other' }, bearerToken: 'other' });
    await repo.addCharts(REDIS);
    for (const access of [{ credentials: basic }, { credentials: { bearerToken: 'tok-hunter2' } }]) {
      const err = await rejectionOf(helm().fetchIndex(repo.url, access));
      expect(err.code).toBe('SourceAuthFailed');
      expect(`${err.message} ${String(err.cause ?? '')}`).not.toMatch(new RegExp(`hunter2|${BASIC_B64}`));
    }
  });
});

describe('every URL obeys the address policy', () => {
  const cloud = (allowed: string[] = []): SourceAddressPolicy => ({
    publicOnly: true,
    allowed,
    allowSetting: 'SLUICE_ALLOWED_SOURCE_HOSTS',
  });

  it('refuses a loopback repository URL under the cloud policy, before any request', async () => {
    const repo = await serve();
    await repo.addCharts(REDIS);
    const err = await rejectionOf(helm(cloud()).fetchIndex(repo.url, {}));
    expect(err.code).toBe('SourceAddressRefused');
    expect(repo.requests).toEqual([]);
  });

  it.each([
    ['the metadata endpoint', 'http://169.254.169.254/latest/meta-data'],
    ['a private address', 'http://10.0.0.1/charts'],
    ['loopback on another port', 'http://127.0.0.1:1/charts'],
  ])('refuses a chart URL at %s that an allowed repository lists', async (_, base) => {
    const repo = await serve();
    await repo.addCharts(REDIS, { chartUrlBase: base });
    const err = await rejectionOf(pull(helm(cloud([repo.origin])), repo.url, {}));
    expect(err.code).toBe('SourceAddressRefused');
  });

  it.each([
    ['the metadata endpoint', 'http://169.254.169.254/charts'],
    ['a private address', 'http://192.168.1.10/charts'],
  ])('refuses a redirect of a chart download to %s', async (_, target) => {
    const repo = await serve({ redirectChartsTo: target });
    await repo.addCharts(REDIS);
    const err = await rejectionOf(pull(helm(cloud([repo.origin])), repo.url, {}));
    expect(err.code).toBe('SourceAddressRefused');
  });
});
