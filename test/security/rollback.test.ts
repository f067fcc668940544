// A rollback is a record the control plane signs, never something a store writer can make. A puller applies
// the control plane's rollback (it is the newest record) and still refuses the entry it replaced and the
// original of the content it restored; an unsigned `rollback` field, a rollback signed for another cluster or
// target, and an index entry that merely claims a rollback change nothing. Asking for one needs a credential.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { artifactKey, type Signed, targetOf } from '../../shared/core/artifact/artifact.ts';
import { rollbackPayload } from '../../shared/core/artifact/rollback.ts';
import { signArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import { type ApplyReport, decodeJob } from '../../shared/core/pipeline/jobs.ts';
import type { IndexEntry } from '../../shared/core/pipeline/records.ts';
import { type ObjectKey, stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { signBody } from '../../shared/core/pipeline/webhook-signature.ts';
import { setOwnerLabels } from '../../shared/core/render/owner-labels.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { silentLogger } from '../../shared/ports/logger.ts';
import { getJson, putJson } from '../../shared/ports/object-store.ts';
import { handleWebhook } from '../../shared/usecases/handle-webhook.ts';
import { defaultQueueNames, type PipelineDeps } from '../../shared/usecases/pipeline-deps.ts';
import type { PullerDeps } from '../../shared/usecases/puller/puller-deps.ts';
import { reconcileCluster } from '../../shared/usecases/puller/reconcile-cluster.ts';
import { requestRollback } from '../../shared/usecases/queue-rollback.ts';
import { heldRender } from '../../shared/usecases/rollback-hold.ts';
import { rollbackTarget } from '../../shared/usecases/rollback-target.ts';
import { rejectionOf } from '../support/error-of.ts';
import type { KubeApiServer } from '../support/kube-api-server.ts';
import {
  type PullerWorld,
  revisionOf,
  startClusterPuller,
  startPullerWorld,
  storeAndIndex,
  testArtifact,
} from '../support/puller-world.ts';

const BUCKET = 'sluice-rollback-security';
const queues = defaultQueueNames('rollback-sec');
const APPS: ObjectKey = { namespace: 'flux-system', name: 'apps' };
const INFRA: ObjectKey = { namespace: 'flux-system', name: 'infra' };
const SECRET = 'rollback-webhook-secret';
/** The operators' secret for rollbacks through the webhook, apart from the Git host's. */
const ROLLBACK_SECRET = 'rollback-operators-secret';

let world: PullerWorld;
let kube: KubeApiServer;
let deps: PullerDeps;
let clock: { t: number };
let seq = 0;

beforeAll(async () => {
  world = await startPullerWorld({ name: 'rollback-sec', bucket: BUCKET, queues, clusters: [] });
});
afterAll(() => world?.close());
beforeEach(async () => {
  clock = { t: Date.parse('2026-06-01T12:00:00Z') };
  ({ kube, deps } = await startClusterPuller(world, {
    cluster: `rb${++seq}-${process.pid}`,
    bucket: BUCKET,
    queues,
    clock,
  }));
});
afterEach(() => kube.close());

/** The control plane's side, as the rollback use-case needs it. */
const plane = () =>
  ({
    store: world.store,
    queue: world.queue,
    keys: world.keys,
    dataKeys: world.dataKeys,
    clock: { now: () => clock.t },
    log: silentLogger,
    queues,
    settings: { clusters: [deps.cluster] },
  }) as unknown as PipelineDeps;

const configMap = (value: string, owner: ObjectKey = APPS): KubeObject => {
  const obj: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: 'apps' },
    data: { value },
  };
  setOwnerLabels(obj, owner);
  return obj;
};
const live = () =>
  (kube.object('v1', 'ConfigMap', 'settings', 'apps')?.data as Record<string, string> | undefined)?.value;

/** The control plane's n-th publish for a target, signed, stored and indexed. */
async function publish(n: number, value: string, ks = APPS, cluster = deps.cluster) {
  const signed = await signArtifact(
    testArtifact(cluster, targetOf(ks), n, [configMap(value, ks)]),
    world.keys,
  );
  const entry = await storeAndIndex(deps, targetOf(ks), signed, {
    revision: revisionOf(n),
    publishedAt: clock.t,
  });
  return { signed, entry };
}
/** What a store writer can do: put any entry back at a target's key. */
const point = (entry: IndexEntry, ks = APPS) =>
  putJson(world.store, stateKeys.index(deps.cluster, targetOf(ks)), entry);
const indexOf = async () =>
  (await getJson<IndexEntry>(world.store, stateKeys.index(deps.cluster, targetOf(APPS)))) as IndexEntry;
async function reportFor(): Promise<ApplyReport> {
  const report = (await reconcileCluster(deps)).find((r) => r.target.name === APPS.name);
  if (!report) throw new Error('no report for apps');
  return report;
}
/** v1 then v2 applied: the state a rollback starts from. */
async function twoPublishes() {
  const v1 = await publish(1, 'v1');
  expect(await reportFor()).toMatchObject({ ready: true });
  const v2 = await publish(2, 'v2');
  expect(await reportFor()).toMatchObject({ ready: true });
  return { v1, v2 };
}
const rollbackJob = (to: string) =>
  rollbackTarget(plane(), {
    kind: 'render',
    cluster: deps.cluster,
    target: targetOf(APPS),
    rollback: { to, by: 'api' },
  });

describe("the control plane's rollback", () => {
  it('is applied, and the entry it replaced and the original of what it restored are still refused', async () => {
    const { v1, v2 } = await twoPublishes();
    clock.t += 1000;
    await rollbackJob(v1.signed.digest);
    expect(await reportFor()).toMatchObject({ ready: true, revision: revisionOf(1) });
    expect(live()).toBe('v1');
    const rolled = await indexOf();
    // A retried or repeated job publishes nothing new.
    expect(await rollbackJob(v1.signed.digest)).toEqual({ outcome: 'unchanged', digest: rolled.digest });
    expect((await indexOf()).digest).toBe(rolled.digest);

    await point(v2.entry);
    expect(await reportFor()).toMatchObject({ ready: false, reason: 'ArtifactRejected' });
    await point(v1.entry);
    expect(await reportFor()).toMatchObject({ ready: false, reason: 'ArtifactRejected' });
    expect(live()).toBe('v1');
    // The rollback itself, put back, is the record last applied: nothing to refuse.
    await point(rolled);
    expect((await reconcileCluster(deps)).map((r) => r.reason)).not.toContain('ArtifactRejected');
    expect(live()).toBe('v1');
  });
});

describe('a store writer cannot forge a rollback', () => {
  it('an unsigned rollback field added to a signed artifact is refused, with or without a fixed-up digest', async () => {
    const { v1 } = await twoPublishes();
    const rollback = {
      to: v1.signed.digest,
      from: 'sha256:x',
      at: '2026-06-01T12:00:00Z',
      by: 'api',
      held: { digest: 'x', content: 'x' },
    };
    const added = {
      ...v1.signed,
      payload: { ...v1.signed.payload, sequence: Number.MAX_SAFE_INTEGER, rollback },
    };
    for (const forged of [added, { ...added, digest: `sha256:${'f'.repeat(64)}` }] as Signed[]) {
      await putJson(world.store, artifactKey(deps.cluster, forged.digest), forged);
      await point({
        ...v1.entry,
        sequence: Number.MAX_SAFE_INTEGER,
        digest: forged.digest,
        artifactKey: artifactKey(deps.cluster, forged.digest),
      });
      expect(await reportFor()).toMatchObject({ ready: false, reason: 'ArtifactRejected' });
    }
    expect(live()).toBe('v2');
  });

  it('a rollback signed for another cluster or another target is refused', async () => {
    const { v1, v2 } = await twoPublishes();
    const input = (cluster: string, ks: ObjectKey) => {
      const restored = testArtifact(cluster, targetOf(ks), 1, [configMap('v1', ks)]);
      const current = testArtifact(cluster, targetOf(ks), 2, [configMap('v2', ks)]);
      return rollbackPayload({
        restored,
        restoredDigest: v1.signed.digest,
        current,
        currentDigest: v2.signed.digest,
        sequence: clock.t,
        at: new Date(clock.t).toISOString(),
        by: 'api',
      });
    };
    for (const payload of [input('another-cluster', APPS), input(deps.cluster, INFRA)]) {
      const signed = await signArtifact(payload, world.keys);
      await storeAndIndex(deps, targetOf(APPS), signed, { revision: revisionOf(1), publishedAt: clock.t });
      const report = await reportFor();
      expect(report).toMatchObject({ ready: false, reason: 'ArtifactRejected' });
      expect(report.message).toMatch(/another-cluster|flux-system\/infra/);
    }
    expect(live()).toBe('v2');
  });

  it('the control plane restores only an artifact of this cluster and target, stored and untampered', async () => {
    await twoPublishes();
    const infra = await signArtifact(
      testArtifact(deps.cluster, targetOf(INFRA), 3, [configMap('i', INFRA)]),
      world.keys,
    );
    const foreign = await signArtifact(
      testArtifact('another-cluster', targetOf(APPS), 4, [configMap('f')]),
      world.keys,
    );
    const tampered = await signArtifact(
      testArtifact(deps.cluster, targetOf(APPS), 5, [configMap('t')]),
      world.keys,
    );
    const changed = { ...tampered, payload: { ...tampered.payload, objects: [configMap('evil')] } };
    for (const s of [infra, foreign, changed])
      await putJson(world.store, artifactKey(deps.cluster, s.digest), s);
    for (const s of [infra, foreign, changed]) {
      const ask = { cluster: deps.cluster, target: targetOf(APPS), to: s.digest, by: 'api' };
      expect((await rejectionOf(requestRollback(plane(), ask))).code).toBe('ArtifactRejected');
      expect((await rejectionOf(rollbackJob(s.digest))).code).toBe('ArtifactRejected');
    }
    expect(live()).toBe('v2');
  });

  it('an index entry that merely claims a rollback holds no render back', async () => {
    const { v2 } = await twoPublishes();
    const claim = {
      to: 'sha256:x',
      from: 'sha256:y',
      at: '',
      by: 'api',
      held: { digest: v2.signed.digest, content: 'any' },
    };
    await point({ ...v2.entry, rollback: claim });
    expect(
      await heldRender(plane(), deps.cluster, await indexOf(), v2.signed.payload as never),
    ).toBeUndefined();
  });
});

describe('asking for a rollback', () => {
  const body = (at: string, to: string) =>
    JSON.stringify({
      rollback: { cluster: deps.cluster, namespace: 'flux-system', name: 'apps', to },
      at,
      requestId: at,
    });
  const send = (text: string, signature = signBody(text, ROLLBACK_SECRET)) =>
    handleWebhook(plane(), {
      body: Buffer.from(text),
      signature,
      secret: SECRET,
      rollbackSecret: ROLLBACK_SECRET,
    });
  const rendersQueued = async () => {
    const messages = await world.queue.receive(queues.render, { maxMessages: 10 });
    for (const m of messages) await world.queue.ack(queues.render, m.receiptHandle);
    return messages.map((m) => decodeJob(m.body));
  };

  it("is refused when signed with the webhook secret: the Git host's secret announces pushes, it does not roll back", async () => {
    const { v1 } = await twoPublishes();
    await rendersQueued(); // whatever publishing queued
    const text = body(new Date(clock.t).toISOString(), v1.signed.digest);
    const err = await rejectionOf(send(text, signBody(text, SECRET)));
    expect([err.code, (err as { status?: number }).status]).toEqual(['WebhookRejected', 403]);
    expect(err.message).toContain('must be signed with the rollback secret');
    expect(err.message).toContain('SLUICE_ROLLBACK_SECRET');
    // Without a rollback secret configured, no rollback is taken through the webhook at all.
    const off = await rejectionOf(
      handleWebhook(plane(), { body: Buffer.from(text), signature: signBody(text, SECRET), secret: SECRET }),
    );
    expect([off.code, off.message]).toEqual([
      'WebhookRejected',
      expect.stringContaining('sst secret set RollbackSecret'),
    ]);
    expect(await rendersQueued()).toEqual([]);
  });

  it('the rollback secret asks for rollbacks only: a push signed with it is refused', async () => {
    const push = JSON.stringify({ repository: 'https://git.example.com/fleet.git' });
    const err = await rejectionOf(send(push));
    expect([err.code, (err as { status?: number }).status]).toEqual(['WebhookRejected', 403]);
    expect(err.message).toContain('may only ask for a rollback');
  });

  it('through the webhook needs its signature, and a body signed minutes ago is a replay', async () => {
    const { v1 } = await twoPublishes();
    const now = new Date(clock.t).toISOString();
    expect((await rejectionOf(send(body(now, v1.signed.digest), 'sha256=00'))).code).toBe('WebhookRejected');
    const stale = new Date(clock.t - 6 * 60_000).toISOString();
    expect((await rejectionOf(send(body(stale, v1.signed.digest)))).code).toBe('WebhookRejected');
    expect(
      (await rejectionOf(send(JSON.stringify({ rollback: { cluster: deps.cluster }, at: now })))).code,
    ).toBe('UsageError');
    expect(await send(body(now, v1.signed.digest))).toMatchObject({ rollback: { to: v1.signed.digest } });
    // Queued on the render queue, in the target's group: nothing changed yet, and nothing but the job was sent.
    expect(await rendersQueued()).toContainEqual(
      expect.objectContaining({ kind: 'render', rollback: { to: v1.signed.digest, by: 'webhook' } }),
    );
  });

  it("through the webhook reads nothing in the store and signs nothing (the cloud's webhook function may not)", async () => {
    const denied = () => {
      throw new Error('the webhook function may not read the store or use the signing key');
    };
    const bare = {
      ...plane(),
      store: { get: denied, put: denied, list: denied, delete: denied },
      keys: { sign: denied, keyId: denied, publicKeyPem: denied },
    } as unknown as PipelineDeps;
    const to = `sha256:${'a'.repeat(64)}`;
    const text = body(new Date(clock.t).toISOString(), to);
    const result = await handleWebhook(bare, {
      body: Buffer.from(text),
      signature: signBody(text, ROLLBACK_SECRET),
      secret: SECRET,
      rollbackSecret: ROLLBACK_SECRET,
    });
    expect(result.rollback).toEqual({ cluster: deps.cluster, target: targetOf(APPS), to });
    // The job it queued checks everything (here: the target has nothing published) and changes nothing.
    expect((await rejectionOf(rollbackJob(to))).code).toBe('ReferenceNotFound');
  });
});
