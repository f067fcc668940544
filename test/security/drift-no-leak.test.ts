// Drift and field manager conflicts are reported by field path: a Secret edited by hand, or whose value
// another manager set, shows up in the report, the status message, the reports queue and the logs as
// `.data.password`, never with its old or new value in any form (plain or base64).
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientNodeCluster } from '../../shared/adapters/kube/client-node-cluster.ts';
import { signArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import type { ApplyReport } from '../../shared/core/pipeline/jobs.ts';
import { setOwnerLabels } from '../../shared/core/render/owner-labels.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { defaultQueueNames } from '../../shared/usecases/pipeline-deps.ts';
import { ensureInventoryNamespace } from '../../shared/usecases/puller/inventory-store.ts';
import type { PullerDeps } from '../../shared/usecases/puller/puller-deps.ts';
import { reconcileCluster } from '../../shared/usecases/puller/reconcile-cluster.ts';
import { type KubeApiServer, startKubeApiServer } from '../support/kube-api-server.ts';
import { type Evidence, RecordingQueue, recordingLogger, scanFor } from '../support/leak-evidence.ts';
import {
  type PullerWorld,
  pullerDeps,
  revisionOf,
  startPullerWorld,
  storeAndIndex,
  TEST_INTERVAL_MS,
  testArtifact,
} from '../support/puller-world.ts';

const queues = defaultQueueNames('drift-leak');
const APPS = { kind: 'Kustomization' as const, namespace: 'flux-system', name: 'apps' };
const OURS = 'ours-Pa55word-from-git';
const HAND_EDITED = 'hand-Edited-s3cret-value';
const KUBECTL = 'kubectl-Set-s3cret-value';

let world: PullerWorld;
let kube: KubeApiServer;
let deps: PullerDeps;
let evidence: Evidence[];
const clock = { t: Date.parse('2025-06-01T12:00:00Z') };
let n = 0;

beforeAll(async () => {
  world = await startPullerWorld({
    name: 'drift-leak',
    bucket: 'sluice-drift-leak',
    queues,
    clusters: ['r'],
  });
});
afterAll(() => world?.close());
beforeEach(async () => {
  kube = await startKubeApiServer({ namespaces: ['apps'] });
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfig());
  evidence = [];
  deps = {
    ...pullerDeps(world, {
      cluster: `leak${++n}-${process.pid}`,
      kube: new ClientNodeCluster(kc),
      clock,
      queues: { cluster: queues.cluster('unused'), reports: queues.reports('r') },
    }),
    queue: new RecordingQueue(world.queue, evidence),
    log: recordingLogger(evidence),
  };
  await ensureInventoryNamespace(deps);
});
afterEach(() => kube.close());

const b64 = (s: string) => Buffer.from(s).toString('base64');

function secret(password: string): KubeObject {
  const obj: KubeObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', namespace: 'apps' },
    type: 'Opaque',
    data: { password: b64(password) },
  };
  setOwnerLabels(obj, APPS);
  return obj;
}

async function publish(objects: KubeObject[]): Promise<void> {
  const payload = testArtifact(deps.cluster, APPS, ++n, objects);
  await storeAndIndex(deps, APPS, await signArtifact(payload, world.keys), {
    revision: revisionOf(n),
    publishedAt: clock.t,
  });
}

async function patchSecret(query: string, contentType: string, body: object): Promise<void> {
  const res = await fetch(`${kube.url}/api/v1/namespaces/apps/secrets/db?${query}`, {
    method: 'PATCH',
    headers: { 'content-type': contentType },
    body: JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
}

function leaks(reports: ApplyReport[]) {
  const all = [...evidence, ...reports.map((r) => ({ where: 'report', text: JSON.stringify(r) }))];
  return scanFor({ ours: OURS, handEdited: HAND_EDITED, kubectl: KUBECTL }, all);
}

describe('drift and conflict reports on a Secret', () => {
  it('name the field of a Secret edited by hand, never its values', async () => {
    await publish([secret(OURS)]);
    await reconcileCluster(deps);
    await patchSecret('fieldManager=kubectl-edit', 'application/merge-patch+json', {
      data: { password: b64(HAND_EDITED) },
    });
    clock.t += TEST_INTERVAL_MS;
    const reports = await reconcileCluster(deps);
    expect(reports[0]?.drift?.corrected).toEqual([{ object: 'Secret/apps/db', fields: ['.data.password'] }]);
    expect(evidence.some((e) => e.where.startsWith('queue'))).toBe(true);
    expect(leaks(reports)).toEqual([]);
  });

  it('name the field another manager set in a Secret, never its values', async () => {
    await patchSecret('fieldManager=vault-operator&force=true', 'application/apply-patch+yaml', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'apps' },
      data: { password: b64(KUBECTL) },
    });
    await publish([secret(OURS)]);
    const reports = await reconcileCluster(deps);
    expect(reports[0]?.conflicts).toEqual([
      { object: 'Secret/apps/db', manager: 'vault-operator', fields: ['.data.password'] },
    ]);
    expect(leaks(reports)).toEqual([]);
  });
});
