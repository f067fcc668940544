// waitForHealth against the test Kubernetes API server: objects whose status its simulated controllers set
// or a test writes through the status subresource; the poll interval moves a test clock, never the wall clock.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientNodeCluster } from '../../shared/adapters/kube/client-node-cluster.ts';
import { refOf } from '../../shared/core/apply/object-ref.ts';
import { compileHealthCheckExprs } from '../../shared/core/health/health-check-exprs.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import type { ObjectRef } from '../../shared/ports/cluster-api.ts';
import { type HealthWaitRequest, waitForHealth } from '../../shared/usecases/puller/wait-for-health.ts';
import { deployment } from '../support/deployment-fixture.ts';
import { JOB_OUTCOME_ANNOTATION } from '../support/kube-api-server/controllers.ts';
import { type KubeApiServer, startKubeApiServer } from '../support/kube-api-server.ts';
import { widget, widgetCrd } from '../support/widget-crd.ts';

const FIELD_MANAGER = { fieldManager: 'sluice', force: true };
const INTERVAL_MS = 5_000;

let server: KubeApiServer;
let kube: ClientNodeCluster;

beforeAll(async () => {
  server = await startKubeApiServer({ namespaces: ['apps'] });
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  kube = new ClientNodeCluster(kc);
  await kube.apply(widgetCrd({ statusSubresource: true }), FIELD_MANAGER);
});
afterAll(() => server.close());
beforeEach(() => server.setDeploymentsReady(true));

/** The puller's clock and sleep as puller-world makes them: each sleep moves the clock; `onSleep` acts between polls. */
function testDeps(onSleep: (n: number) => void | Promise<void> = () => {}) {
  const clock = { t: Date.parse('2026-01-01T00:00:00Z') };
  let sleeps = 0;
  return {
    kube,
    clock: { now: () => clock.t },
    sleep: async (ms: number) => {
      clock.t += ms;
      await onSleep(++sleeps);
    },
  };
}

async function applied(...objects: KubeObject[]): Promise<ObjectRef[]> {
  for (const obj of objects) await kube.apply(obj, FIELD_MANAGER);
  return objects.map(refOf);
}

const request = (refs: ObjectRef[], more: Partial<HealthWaitRequest> = {}): HealthWaitRequest => ({
  refs,
  timeoutMs: 30_000,
  intervalMs: INTERVAL_MS,
  ...more,
});

/** Writes `status` through the status subresource, as a controller would. */
async function setWidgetStatus(name: string, status: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${server.url}/apis/example.com/v1/namespaces/apps/widgets/${name}/status`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ status }),
  });
  expect(res.status).toBe(200);
}

const configMap = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'apps' },
  data: { a: '1' },
});

const job = (name: string, outcome?: 'Failed' | 'Running'): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: {
    name,
    namespace: 'apps',
    ...(outcome && { annotations: { [JOB_OUTCOME_ANNOTATION]: outcome } }),
  },
  spec: {
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'run', image: 'busybox:1.36' }] } },
  },
});

describe('waitForHealth', () => {
  it('is healthy after one poll when every object is already Current', async () => {
    const refs = await applied(configMap('settings'), deployment('ready-web', 'ready-web'), job('done'));
    const report = await waitForHealth(testDeps(), request(refs));
    expect(report.outcome).toBe('healthy');
    expect(report.polls).toBe(1);
    expect(report.objects.map((o) => o.status)).toEqual(['Current', 'Current', 'Current']);
    expect(report.message).toBe('');
    expect(report.failing).toBeUndefined();
  });

  it('keeps polling until a rollout completes', async () => {
    server.setDeploymentsReady(false);
    const refs = await applied(deployment('rolling', 'rolling'));
    const deps = testDeps((n) => {
      if (n === 2) server.setDeploymentsReady(true);
    });
    const report = await waitForHealth(deps, request(refs));
    expect(report.outcome).toBe('healthy');
    expect(report.polls).toBe(3);
  });

  it("times out with Flux's message naming the object still in progress, and why", async () => {
    server.setDeploymentsReady(false);
    const refs = await applied(configMap('other'), deployment('stuck', 'stuck'));
    const report = await waitForHealth(testDeps(), request(refs, { timeoutMs: 12_000 }));
    expect(report.outcome).toBe('timeout');
    expect(report.message).toBe("timeout waiting for: [Deployment/apps/stuck status: 'InProgress']");
    expect(report.failing).toMatchObject({
      ref: { kind: 'Deployment', name: 'stuck' },
      status: 'InProgress',
      reason: 'LessAvailable',
      message: 'Available: 0/1',
    });
    // Polls at 0, 5 and 10 s, then once more at the deadline.
    expect(report.polls).toBe(4);
  });

  it('fails early on a Failed Job, without waiting for the rest', async () => {
    server.setDeploymentsReady(false);
    const refs = await applied(deployment('slow', 'slow'), job('migrate', 'Failed'));
    const report = await waitForHealth(testDeps(), request(refs));
    expect(report.outcome).toBe('failed');
    expect(report.polls).toBe(1);
    expect(report.message).toBe("failed early due to stalled resources: [Job/apps/migrate status: 'Failed']");
    expect(report.failing).toMatchObject({ status: 'Failed', reason: 'JobFailed' });
  });

  it('waits for a Job to run to completion, as Flux does', async () => {
    const refs = await applied(job('forever', 'Running'));
    const report = await waitForHealth(testDeps(), request(refs, { timeoutMs: 5_000 }));
    expect(report.outcome).toBe('timeout');
    expect(report.failing).toMatchObject({ status: 'InProgress', reason: 'JobInProgress' });
  });

  it('reports an object that does not exist as NotFound', async () => {
    const missing = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'never-applied' };
    const report = await waitForHealth(testDeps(), request([missing], { timeoutMs: 0 }));
    expect(report.message).toBe("timeout waiting for: [ConfigMap/apps/never-applied status: 'NotFound']");
  });

  it("judges a custom resource by its Ready condition and observed generation (kstatus' generic rules)", async () => {
    const refs = await applied(widget('generic', 'apps'));
    await setWidgetStatus('generic', {
      observedGeneration: 1,
      conditions: [{ type: 'Ready', status: 'False', reason: 'Provisioning', message: 'waiting for disk' }],
    });
    const deps = testDeps(async (n) => {
      if (n === 1)
        await setWidgetStatus('generic', {
          observedGeneration: 1,
          conditions: [{ type: 'Ready', status: 'True', reason: 'Provisioned', message: '' }],
        });
    });
    const first = await waitForHealth(testDeps(), request(refs, { timeoutMs: 0 }));
    expect(first.failing).toMatchObject({ status: 'InProgress', reason: 'Provisioning' });
    expect((await waitForHealth(deps, request(refs))).outcome).toBe('healthy');

    // A new spec the controller has not seen yet is in progress, whatever its conditions say.
    await kube.apply({ ...widget('generic', 'apps'), spec: { size: 4 } }, FIELD_MANAGER);
    const changed = await waitForHealth(testDeps(), request(refs, { timeoutMs: 0 }));
    expect(changed.failing).toMatchObject({ status: 'InProgress', reason: 'LatestGenerationNotObserved' });
  });

  it('judges a custom resource by its healthCheckExprs', async () => {
    const rules = compileHealthCheckExprs([
      {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        current: "has(status.phase) && status.phase == 'Ready'",
        failed: "has(status.phase) && status.phase == 'Broken'",
      },
    ]);
    const refs = await applied(widget('custom', 'apps'));
    const deps = testDeps(async (n) => {
      if (n === 1) await setWidgetStatus('custom', { phase: 'Broken' });
    });
    const report = await waitForHealth(deps, request(refs, { rules }));
    expect(report.outcome).toBe('failed');
    expect(report.polls).toBe(2);
    expect(report.message).toBe(
      "failed early due to stalled resources: [Widget/apps/custom status: 'Failed']",
    );
  });

  it('treats a failed read as Unknown for one round and reads again', async () => {
    const refs = await applied(configMap('flaky'));
    server.failNext('GET', /configmaps\/flaky$/, 500, 'etcd is unhappy');
    const report = await waitForHealth(testDeps(), request(refs));
    expect(report.outcome).toBe('healthy');
    expect(report.polls).toBe(2);
  });

  it('stops at once, reporting aborted, when a newer revision cancels the wait', async () => {
    server.setDeploymentsReady(false);
    const refs = await applied(deployment('superseded', 'superseded'));
    const newRevision = new AbortController();
    const deps = {
      ...testDeps(),
      // A sleep that never ends on its own: only the abort can end the wait.
      sleep: () => {
        newRevision.abort();
        return new Promise<void>(() => {});
      },
    };
    const report = await waitForHealth(deps, request(refs, { signal: newRevision.signal }));
    expect(report.outcome).toBe('aborted');
    expect(report.polls).toBe(1);
    expect(report.failing).toBeUndefined();
  });

  it('asks the puller, not the cluster, about a Flux Kustomization or HelmRelease named in healthChecks', async () => {
    const refs: ObjectRef[] = [
      {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'infra',
      },
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', namespace: 'apps', name: 'podinfo' },
    ];
    const ready = new Map([['Kustomization/flux-system/infra', true]]);
    const report = await waitForHealth(
      testDeps(),
      request(refs, { timeoutMs: 0, targetReady: (t) => ready.get(`${t.kind}/${t.namespace}/${t.name}`) }),
    );
    expect(report.objects.map((o) => o.status)).toEqual(['Current', 'NotFound']);
    expect(report.message).toBe("timeout waiting for: [HelmRelease/apps/podinfo status: 'NotFound']");
  });

  it('is healthy at once with nothing to wait for', async () => {
    const report = await waitForHealth(testDeps(), request([]));
    expect(report).toMatchObject({ outcome: 'healthy', polls: 0, objects: [] });
  });
});
