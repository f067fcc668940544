// The one way stages queue work: a fetch request is one message per source, reason and occasion (a
// replayed webhook delivery or a second tick in the same window queues nothing); render jobs of one
// target share a message group that names its kind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJob } from '../../shared/core/pipeline/jobs.ts';
import type { Target } from '../../shared/core/pipeline/target.ts';
import { enqueueFetch, enqueueRender, renderGroup } from '../../shared/usecases/enqueue.ts';
import { type StoreAndQueues, startStoreAndQueues } from '../support/store-and-queues.ts';

let env: StoreAndQueues;

beforeAll(async () => {
  env = await startStoreAndQueues('enqueue-test');
});

afterAll(async () => {
  await env?.close();
});

describe('enqueueFetch', () => {
  it('queues one fetch per source, reason and occasion, in the source message group', async () => {
    await enqueueFetch(env.deps, 'src-a', 'webhook', 'delivery-1');
    await enqueueFetch(env.deps, 'src-a', 'webhook', 'delivery-1');
    await enqueueFetch(env.deps, 'src-a', 'webhook', 'delivery-2');
    await enqueueFetch(env.deps, 'src-a', 'schedule', 'delivery-1');
    const messages = await env.drain(env.deps.queues.fetch);
    expect(messages.map((m) => decodeJob(m.body))).toEqual([
      { kind: 'fetch', sourceKey: 'src-a', reason: 'webhook' },
      { kind: 'fetch', sourceKey: 'src-a', reason: 'webhook' },
      { kind: 'fetch', sourceKey: 'src-a', reason: 'schedule' },
    ]);
    expect(new Set(messages.map((m) => m.groupId))).toEqual(new Set(['src-a']));
  });

  it('accepts any occasion text (a deduplication id is at most 128 plain characters)', async () => {
    await enqueueFetch(env.deps, 'src-b', 'webhook', `ünïcode ${'x'.repeat(500)}`);
    expect(await env.drain(env.deps.queues.fetch)).toHaveLength(1);
  });
});

describe('enqueueRender', () => {
  it('queues every request, grouped by cluster, kind, namespace and name', async () => {
    const apps: Target = { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' };
    const release: Target = { ...apps, kind: 'HelmRelease' };
    await enqueueRender(env.deps, 'dev', apps);
    await enqueueRender(env.deps, 'dev', apps);
    await enqueueRender(env.deps, 'dev', release);
    const messages = await env.drain(env.deps.queues.render);
    // Groups are drained one after the other, in no set order.
    const sent = messages.map((m) => [m.groupId, decodeJob(m.body)]);
    expect(sent.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['dev/HelmRelease/flux-system/apps', { kind: 'render', cluster: 'dev', target: release }],
      ['dev/Kustomization/flux-system/apps', { kind: 'render', cluster: 'dev', target: apps }],
      ['dev/Kustomization/flux-system/apps', { kind: 'render', cluster: 'dev', target: apps }],
    ]);
    expect(renderGroup('dev', apps)).not.toBe(renderGroup('dev', release));
  });
});
