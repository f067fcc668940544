// applyObjects with spec.force against the test Kubernetes API server: an object is deleted and recreated
// only when the API server says an immutable field blocked the change (a typed flag from the adapter),
// never because some other refusal's text happens to contain the word "immutable".

import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientNodeCluster } from '../../shared/adapters/kube/client-node-cluster.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { applyObjects } from '../../shared/usecases/puller/apply-objects.ts';
import type { PullerDeps } from '../../shared/usecases/puller/puller-deps.ts';
import { deployment } from '../support/deployment-fixture.ts';
import { type KubeApiServer, startKubeApiServer } from '../support/kube-api-server.ts';

let server: KubeApiServer;
let deps: PullerDeps;

beforeAll(async () => {
  server = await startKubeApiServer({ namespaces: ['apps'] });
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  // applyObjects uses only the cluster, the field manager and the establish wait.
  deps = {
    kube: new ClientNodeCluster(kc),
    fieldManager: 'sluice',
    clock: { now: () => 0 },
    establishTimeoutMs: 1000,
    sleep: async () => undefined,
  } as unknown as PullerDeps;
});
afterAll(() => server.close());

const configMap = (name: string, labels: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'apps', labels },
  data: { a: '1' },
});

describe('applyObjects with force', () => {
  it('recreates an object whose immutable field changed', async () => {
    expect((await applyObjects(deps, [deployment('web', 'web')], true)).errors).toEqual([]);
    const outcome = await applyObjects(deps, [deployment('web', 'web-v2')], true);
    expect(outcome.errors).toEqual([]);
    const live = server.object('apps/v1', 'Deployment', 'web', 'apps')?.spec;
    expect((live as { selector?: unknown } | undefined)?.selector).toEqual({
      matchLabels: { app: 'web-v2' },
    });
  });

  it('keeps an object refused for another reason, even when its name says "immutable"', async () => {
    expect((await applyObjects(deps, [configMap('immutable-settings', { tier: 'a' })], true)).errors).toEqual(
      [],
    );
    const outcome = await applyObjects(
      deps,
      [configMap('immutable-settings', { tier: 'x'.repeat(64) })],
      true,
    );
    expect(outcome.errors).toHaveLength(1);
    expect(server.object('v1', 'ConfigMap', 'immutable-settings', 'apps')).toBeDefined();
  });

  it('does not recreate without force', async () => {
    await applyObjects(deps, [deployment('api', 'api')], false);
    const outcome = await applyObjects(deps, [deployment('api', 'api-v2')], false);
    expect(outcome.errors).toHaveLength(1);
    const live = server.object('apps/v1', 'Deployment', 'api', 'apps')?.spec;
    expect((live as { selector?: unknown } | undefined)?.selector).toEqual({ matchLabels: { app: 'api' } });
  });
});
