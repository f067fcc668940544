// What holds a rollback: a render giving back the content rolled away from is held, also once the
// cluster's data key was replaced and its Secrets seal to other bytes; any other content is published.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureInfrastructure } from '../../shared/adapters/aws/ensure-infrastructure.ts';
import { type ArtifactPayload, targetOf } from '../../shared/core/artifact/artifact.ts';
import { signArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import type { IndexEntry } from '../../shared/core/pipeline/records.ts';
import { stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import type { KubeObject } from '../../shared/core/render/yaml-codec.ts';
import { sealArtifact } from '../../shared/core/secrets/seal-artifact.ts';
import { SecretCipher } from '../../shared/core/secrets/secret-cipher.ts';
import { silentLogger } from '../../shared/ports/logger.ts';
import { getJson } from '../../shared/ports/object-store.ts';
import { defaultQueueNames, type PipelineDeps } from '../../shared/usecases/pipeline-deps.ts';
import { heldRender } from '../../shared/usecases/rollback-hold.ts';
import { rollbackTarget } from '../../shared/usecases/rollback-target.ts';
import {
  type PullerWorld,
  revisionOf,
  startPullerWorld,
  storeAndIndex,
  testArtifact,
} from '../support/puller-world.ts';

const BUCKET = 'sluice-rollback-hold';
const queues = defaultQueueNames('rollback-hold');
const CLUSTER = 'hold';
const APPS = targetOf({ namespace: 'flux-system', name: 'apps' });

let world: PullerWorld;
let plane: PipelineDeps;
const clock = { t: Date.parse('2026-06-01T12:00:00Z') };

beforeAll(async () => {
  world = await startPullerWorld({ name: 'rollback-hold', bucket: BUCKET, queues, clusters: [] });
  await ensureInfrastructure(world.clients, queues, [CLUSTER], BUCKET);
  plane = {
    store: world.store,
    queue: world.queue,
    keys: world.keys,
    dataKeys: world.dataKeys,
    clock: { now: () => clock.t },
    log: silentLogger,
    queues,
    settings: { clusters: [CLUSTER] },
  } as unknown as PipelineDeps;
});
afterAll(() => world?.close());

const secret = (password: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', namespace: 'apps' },
  data: { password: Buffer.from(password).toString('base64') },
});
/** A data key of the cluster, as the control plane makes one every 30 days. */
const dataKey = async () => {
  const { key, wrapped } = await world.dataKeys.generate(CLUSTER);
  return (payload: ArtifactPayload) => sealArtifact(payload, new SecretCipher(key), wrapped);
};
const render = (n: number, password: string) => testArtifact(CLUSTER, APPS, n, [secret(password)]);
const indexOf = async () =>
  (await getJson<IndexEntry>(world.store, stateKeys.index(CLUSTER, APPS))) as IndexEntry;

describe('a rollback of a target holding Secrets', () => {
  let current: IndexEntry;
  let sealA: (p: ArtifactPayload) => ArtifactPayload;

  beforeAll(async () => {
    sealA = await dataKey();
    const publish = async (n: number, password: string) => {
      const signed = await signArtifact(sealA(render(n, password)), world.keys);
      await storeAndIndex({ store: world.store, cluster: CLUSTER }, APPS, signed, {
        revision: revisionOf(n),
        publishedAt: clock.t,
      });
      return signed;
    };
    const v1 = await publish(1, 'pw-1');
    await publish(2, 'pw-2');
    clock.t += 1000;
    await rollbackTarget(plane, {
      kind: 'render',
      cluster: CLUSTER,
      target: APPS,
      rollback: { to: v1.digest, by: 'api' },
    });
    current = await indexOf();
    expect(current.rollback?.to).toBe(v1.digest);
  });

  it('holds a render of the content rolled away from, sealed with the same data key, at a later revision', async () => {
    const again = render(3, 'pw-2');
    expect(await heldRender(plane, CLUSTER, current, sealA(again), again)).toMatchObject({
      to: current.rollback?.to,
    });
  });

  it('holds it still once the data key was replaced and the same values seal to other bytes', async () => {
    const sealB = await dataKey();
    const again = render(4, 'pw-2');
    expect(sealB(again).objects).not.toEqual(sealA(again).objects);
    expect(await heldRender(plane, CLUSTER, current, sealB(again), again)).toMatchObject({
      to: current.rollback?.to,
    });
  });

  it('publishes a render with another value, under either key', async () => {
    const sealB = await dataKey();
    const fixed = render(5, 'pw-3');
    expect(await heldRender(plane, CLUSTER, current, sealA(fixed), fixed)).toBeUndefined();
    expect(await heldRender(plane, CLUSTER, current, sealB(fixed), fixed)).toBeUndefined();
  });
});
