// A cluster's capabilities travel from its puller (discovery against the API server) with its reports to
// the control plane, which keeps them per cluster and renders that cluster's HelmReleases again when they change.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverCapabilities } from '../../shared/adapters/kube/client-node-discovery.ts';
import type { ApplyReport } from '../../shared/core/pipeline/jobs.ts';
import { decodeJob } from '../../shared/core/pipeline/jobs.ts';
import type { HelmReleaseRecord } from '../../shared/core/pipeline/records.ts';
import { recordApplyReport } from '../../shared/usecases/record-apply-report.ts';
import { stateOf } from '../../shared/usecases/state-store.ts';
import { type KubeApiServer, startKubeApiServer } from '../support/kube-api-server.ts';
import { type StoreAndQueues, startStoreAndQueues } from '../support/store-and-queues.ts';

let env: StoreAndQueues;
let kube: KubeApiServer;

beforeAll(async () => {
  env = await startStoreAndQueues('capabilities-test');
  kube = await startKubeApiServer();
});

afterAll(async () => {
  await env?.close();
  await kube?.close();
});

const report = (over: Partial<ApplyReport> = {}): ApplyReport => ({
  kind: 'apply-report',
  cluster: 'dev',
  target: { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' },
  digest: 'sha256:00',
  revision: 'main@sha1:00',
  ready: true,
  reason: 'ReconciliationSucceeded',
  message: 'Applied',
  applied: 1,
  pruned: 0,
  at: new Date(Date.parse('2026-11-30T12:00:00Z')).toISOString(),
  ...over,
});

const release = (name: string): HelmReleaseRecord =>
  ({
    cluster: 'dev',
    helmRelease: { kind: 'HelmRelease', metadata: { namespace: 'apps', name }, spec: { valuesFrom: [] } },
    sourceKey: 'chart-source',
    parent: { namespace: 'flux-system', name: 'apps' },
  }) as unknown as HelmReleaseRecord;

describe('cluster capabilities', () => {
  it('discovers the server version and every group/version and group/version/Kind, as Helm lists them', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(kube.kubeconfig());
    const caps = await discoverCapabilities(kc);
    expect(caps.kubeVersion).toMatch(/^v1\.\d+\.\d+/);
    expect(caps.apiVersions).toEqual(
      expect.arrayContaining(['v1', 'v1/ConfigMap', 'apps/v1', 'apps/v1/Deployment']),
    );
    expect(caps.apiVersions).toEqual([...caps.apiVersions].sort());
    // Subresources (deployments/status) are not kinds.
    expect(caps.apiVersions.some((v) => v.includes('/status'))).toBe(false);
  });

  it('keeps them per cluster and renders its HelmReleases again only when they change', async () => {
    await stateOf(env.deps).putTargetRecord(release('podinfo'));
    const caps = { kubeVersion: 'v1.33.1', apiVersions: ['v1', 'apps/v1', 'monitoring.coreos.com/v1'] };
    expect(await recordApplyReport(env.deps, 'dev', report({ capabilities: caps }))).toBe('recorded');
    expect(await stateOf(env.deps).getCapabilities('dev')).toEqual({
      kubeVersion: 'v1.33.1',
      apiVersions: ['apps/v1', 'monitoring.coreos.com/v1', 'v1'],
    });
    const renders = (await env.drain(env.deps.queues.render)).map((m) => decodeJob(m.body));
    expect(renders).toEqual([
      { kind: 'render', cluster: 'dev', target: { kind: 'HelmRelease', namespace: 'apps', name: 'podinfo' } },
    ]);
    // The same again: nothing to render. The stored apply status carries no capabilities.
    await recordApplyReport(env.deps, 'dev', report({ capabilities: caps, at: '2026-11-30T12:01:00.000Z' }));
    expect(await env.drain(env.deps.queues.render)).toEqual([]);
    expect(
      await stateOf(env.deps).getApplyStatus('dev', {
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'apps',
      }),
    ).not.toHaveProperty('capabilities');
  });

  it('renders a HelmRelease again after its first report: its release exists, so it renders as an upgrade', async () => {
    const target = { kind: 'HelmRelease' as const, namespace: 'apps', name: 'first' };
    await recordApplyReport(env.deps, 'dev', report({ target }));
    expect((await env.drain(env.deps.queues.render)).map((m) => decodeJob(m.body))).toEqual([
      { kind: 'render', cluster: 'dev', target },
    ]);
    await recordApplyReport(env.deps, 'dev', report({ target, at: '2026-11-30T12:02:00.000Z' }));
    expect(await env.drain(env.deps.queues.render)).toEqual([]);
  });

  it('refuses capabilities that are no version and bounded list of API versions', async () => {
    for (const capabilities of [
      { kubeVersion: 'latest', apiVersions: [] },
      { kubeVersion: 'v1.33.0', apiVersions: ['../../etc'] },
      { kubeVersion: 'v1.33.0', apiVersions: Array.from({ length: 5001 }, (_, i) => `g${i}/v1`) },
    ]) {
      expect(
        await recordApplyReport(env.deps, 'dev', report({ capabilities } as unknown as Partial<ApplyReport>)),
      ).toBe('refused');
    }
    expect((await stateOf(env.deps).getCapabilities('dev'))?.kubeVersion).toBe('v1.33.1');
  });
});
