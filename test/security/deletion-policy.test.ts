// A removal's deletion policy is part of what the control plane signs: a store writer who edits it in a
// tombstone (Orphan into Delete, or the reverse) gets the removal refused, and one who edits the artifact
// the control plane reads it from gets no tombstone signed at all. Nothing is deleted either way.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ApplyOptions,
  type ArtifactPayload,
  artifactKey,
  type Signed,
  type TombstonePayload,
  targetOf,
} from '../../shared/core/artifact/artifact.ts';
import { signArtifact, verifySigned } from '../../shared/core/artifact/sign-artifact.ts';
import { isSluiceError } from '../../shared/core/errors.ts';
import type { IndexEntry } from '../../shared/core/pipeline/records.ts';
import { type ObjectKey, stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { setOwnerLabels } from '../../shared/core/render/owner-labels.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { silentLogger } from '../../shared/ports/logger.ts';
import { getJson, putJson } from '../../shared/ports/object-store.ts';
import { defaultQueueNames, type PipelineDeps } from '../../shared/usecases/pipeline-deps.ts';
import type { PullerDeps } from '../../shared/usecases/puller/puller-deps.ts';
import { reconcileCluster } from '../../shared/usecases/puller/reconcile-cluster.ts';
import { renderJob } from '../../shared/usecases/render-job.ts';
import type { KubeApiServer } from '../support/kube-api-server.ts';
import {
  type PullerWorld,
  revisionOf,
  startClusterPuller,
  startPullerWorld,
  storeAndIndex,
  testArtifact,
  testTombstone,
} from '../support/puller-world.ts';

const BUCKET = 'sluice-deletion-policy-security';
const queues = defaultQueueNames('deletion-policy-sec');
const APPS: ObjectKey = { namespace: 'flux-system', name: 'apps' };

let world: PullerWorld;
let kube: KubeApiServer;
let deps: PullerDeps;
let clock: { t: number };
let n = 0;
let seq = 0;

beforeAll(async () => {
  world = await startPullerWorld({ name: 'deletion-policy-sec', bucket: BUCKET, queues, clusters: [] });
});
afterAll(() => world?.close());

beforeEach(async () => {
  clock = { t: Date.parse('2026-06-01T12:00:00Z') };
  ({ kube, deps } = await startClusterPuller(world, {
    cluster: `delsec${++seq}-${process.pid}`,
    bucket: BUCKET,
    queues,
    clock,
  }));
});
afterEach(() => kube.close());

const configMap = (name: string): KubeObject => {
  const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'apps' } };
  setOwnerLabels(obj, APPS);
  return obj;
};
const live = (name: string) => kube.object('v1', 'ConfigMap', name, 'apps');

/** `good` applied for APPS from a signed artifact with these apply options. */
async function applied(apply: Partial<ApplyOptions> = {}): Promise<Signed<ArtifactPayload>> {
  const payload = testArtifact(deps.cluster, targetOf(APPS), ++n, [configMap('good')], apply);
  const signed = await signArtifact(payload, world.keys);
  await storeAndIndex(deps, payload.target, signed, { revision: revisionOf(n), publishedAt: clock.t });
  expect((await reconcileCluster(deps))[0]).toMatchObject({ ready: true });
  return signed;
}

/** What the render job needs to publish a removal (it renders nothing then). */
const renderDeps = () =>
  ({
    store: world.store,
    queue: world.queue,
    keys: world.keys,
    clock: { now: () => clock.t },
    log: silentLogger,
    queues,
    settings: { clusters: [deps.cluster] },
  }) as unknown as PipelineDeps;

const withdrawJob = () => ({ kind: 'render', cluster: deps.cluster, target: targetOf(APPS) }) as const;

describe('a tombstone whose deletion policy was edited after signing', () => {
  it.each([
    ['Orphan', 'Delete'],
    ['Delete', 'Orphan'],
  ] as const)('signed %s, stored as %s: refused, nothing deleted or orphaned', async (signedAs, editedTo) => {
    await applied();
    const payload: TombstonePayload = {
      ...testTombstone(deps.cluster, targetOf(APPS), ++n),
      deletionPolicy: signedAs,
    };
    const signed = await signArtifact(payload, world.keys);
    signed.payload = { ...payload, deletionPolicy: editedTo };
    await storeAndIndex(deps, payload.target, signed, { revision: payload.revision, publishedAt: clock.t });
    const [report] = await reconcileCluster(deps);
    expect(report).toMatchObject({ ready: false, reason: 'ArtifactRejected', pruned: 0 });
    expect(live('good')).toBeDefined();
  });

  it('with the policy added to an unsigned field-less tombstone: refused', async () => {
    await applied({ prune: false });
    const payload = testTombstone(deps.cluster, targetOf(APPS), ++n);
    const signed = await signArtifact(payload, world.keys);
    (signed.payload as TombstonePayload).deletionPolicy = 'Delete';
    await storeAndIndex(deps, payload.target, signed, { revision: payload.revision, publishedAt: clock.t });
    expect((await reconcileCluster(deps))[0]).toMatchObject({ reason: 'ArtifactRejected' });
    expect(live('good')).toBeDefined();
  });
});

describe('the control plane signs the policy it read from a verified artifact', () => {
  it('copies Orphan from the last published artifact into the signed tombstone, and the puller orphans', async () => {
    await applied({ deletionPolicy: 'Orphan' });
    expect(await renderJob(renderDeps(), withdrawJob(), 'fleet')).toEqual({ outcome: 'withdrawn' });
    const entry = await getJson<IndexEntry>(world.store, stateKeys.index(deps.cluster, targetOf(APPS)));
    const tombstone = await getJson<Signed>(world.store, entry?.artifactKey ?? '');
    expect(verifySigned(tombstone as Signed, world.publicKeyPem, entry?.digest)).toMatchObject({
      kind: 'Tombstone',
      deletionPolicy: 'Orphan',
    });
    expect((await reconcileCluster(deps))[0]).toMatchObject({ ready: true, reason: 'Removed' });
    expect(live('good')).toBeDefined();
  });

  it('carries spec.timeout with WaitForTermination, and nothing for MirrorPrune', async () => {
    await applied({ deletionPolicy: 'WaitForTermination', timeoutMs: 45_000 });
    await renderJob(renderDeps(), withdrawJob(), 'fleet');
    const entry = await getJson<IndexEntry>(world.store, stateKeys.index(deps.cluster, targetOf(APPS)));
    const tombstone = (await getJson<Signed>(world.store, entry?.artifactKey ?? ''))?.payload;
    expect(tombstone).toMatchObject({ deletionPolicy: 'WaitForTermination', timeoutMs: 45_000 });
    expect((await reconcileCluster(deps))[0]).toMatchObject({ ready: true, reason: 'Pruned', pruned: 1 });
  });

  it('refuses to sign a removal from an artifact whose deletion policy was edited in the store', async () => {
    const good = await applied({ deletionPolicy: 'Orphan' });
    // A store writer turns Orphan into Delete in the stored artifact, keeping its digest and signature.
    const tampered = structuredClone(good);
    tampered.payload.apply.deletionPolicy = 'Delete';
    await putJson(world.store, artifactKey(deps.cluster, good.digest), tampered);
    const refusal = await renderJob(renderDeps(), withdrawJob(), 'fleet').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isSluiceError(refusal) && refusal.code).toBe('ArtifactRejected');
    const entry = await getJson<IndexEntry>(world.store, stateKeys.index(deps.cluster, targetOf(APPS)));
    expect(entry?.deleted).toBeUndefined();
    // The puller, reading the same edited artifact, refuses it too and keeps what it applied.
    expect((await reconcileCluster(deps)).map((r) => [r.reason, r.pruned])).toEqual([
      ['ArtifactRejected', 0],
    ]);
    expect(live('good')).toBeDefined();
  });
});
