// An operator's rollback through the embedded control plane and its puller against the test Kubernetes API
// server: the earlier content comes back signed as the newest record, renders that only give back what was
// rolled away are held, a fix commit publishes over it, and a replayed index entry is still refused.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetOf } from '../../shared/core/artifact/artifact.ts';
import { verifyArtifact } from '../../shared/core/artifact/sign-artifact.ts';
import { encodeJob } from '../../shared/core/pipeline/jobs.ts';
import type { IndexEntry } from '../../shared/core/pipeline/records.ts';
import { type ObjectKey, stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { signBody } from '../../shared/core/pipeline/webhook-signature.ts';
import { getJson, putJson } from '../../shared/ports/object-store.ts';
import { enqueueRender } from '../../shared/usecases/enqueue.ts';
import { stateOf } from '../../shared/usecases/state-store.ts';
import {
  EXAMPLE_FLEET,
  type Harness,
  kustomizationStatus,
  ROLLBACK_SECRET,
  startHarness,
} from '../support/pipeline-harness.ts';
import { webFleet } from '../support/web-fleet.ts';

const WEB: ObjectKey = { namespace: 'flux-system', name: 'web' };
const yaml = (lines: string[]) => `${lines.join('\n')}\n`;
const settings = (value: string) =>
  yaml([
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: web-settings',
    '  namespace: default',
    'data:',
    `  value: "${value}"`,
    '---',
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: web-password',
    '  namespace: default',
    'stringData:',
    `  password: "pw-${value}"`,
  ]);
const FILES = webFleet(settings('v1'));

let h: Harness;
let token: string;
let v1: IndexEntry;
let v2: IndexEntry;

const live = () =>
  (h.kube.object('v1', 'ConfigMap', 'web-settings', 'default')?.data as Record<string, string> | undefined)
    ?.value;
/** The Secret's value as applied: sealed in the artifact, opened by the puller. */
const livePassword = () => {
  const secret = h.kube.object('v1', 'Secret', 'web-password', 'default') as
    | { data?: Record<string, string>; stringData?: Record<string, string> }
    | undefined;
  const data = secret?.data?.password;
  return data ? Buffer.from(data, 'base64').toString('utf8') : secret?.stringData?.password;
};
const indexOf = async () =>
  (await getJson<IndexEntry>(h.plane.deps.store, stateKeys.index('dev', targetOf(WEB)))) as IndexEntry;
const webStatus = async () => kustomizationStatus(await h.status(), 'web');
const fleetCommit = async (files: Record<string, string | null>, message: string) => {
  await h.push(files, message);
  expect((await h.webhook()).status).toBe(202);
};
const rollbackApi = (body: unknown, auth = `Bearer ${token}`) =>
  fetch(`${h.plane.apiUrl}/api/rollback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: auth },
    body: JSON.stringify(body),
  });
/** What a store writer does: puts an index entry back and wakes the puller; resolves with its report. */
async function replay(entry: IndexEntry) {
  await putJson(h.plane.deps.store, stateKeys.index('dev', targetOf(WEB)), entry);
  await h.plane.deps.queue.send(h.plane.deps.queues.cluster('dev'), {
    body: encodeJob({ kind: 'nudge', target: targetOf(WEB), digest: entry.digest ?? '' }),
  });
  return h.waitFor('the puller to act on the replayed entry', async () => {
    const apply = (await webStatus())?.apply;
    return apply?.digest === entry.digest ? apply : undefined;
  });
}

beforeAll(async () => {
  h = await startHarness({ files: FILES });
  await h.start();
  token = readFileSync(join(h.dataDir, 'api-token'), 'utf8').trim();
  await h.waitFor('v1 applied', () => (live() === 'v1' ? true : undefined), 60_000);
  v1 = await indexOf();
  await fleetCommit({ 'web/cm.yaml': settings('v2') }, 'web: v2');
  await h.waitFor('v2 applied', () => (live() === 'v2' ? true : undefined), 60_000);
  v2 = await indexOf();
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('a rollback', () => {
  let rolled: IndexEntry;

  it('puts the earlier content back as the newest signed artifact, and the puller applies it', async () => {
    const res = await rollbackApi({
      cluster: 'dev',
      namespace: 'flux-system',
      name: 'web',
      to: v1.digest,
      reason: 'v2 breaks login',
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ to: v1.digest, from: v2.digest, revision: v1.revision });
    await h.waitFor('v1 applied again', () => (live() === 'v1' ? true : undefined));
    // Its Secret too: sealed for this cluster when v1 was rendered, it opens as it did then.
    await h.waitFor('v1 password applied again', () => (livePassword() === 'pw-v1' ? true : undefined));
    rolled = await indexOf();
    // Asked again: already done.
    const again = await rollbackApi({ cluster: 'dev', namespace: 'flux-system', name: 'web', to: v1.digest });
    expect(again.status).toBe(409);
    expect(rolled).toMatchObject({
      revision: v1.revision,
      generation: v2.generation,
      rollback: { to: v1.digest, from: v2.digest, by: 'api' },
    });
    expect(rolled.sequence).toBeGreaterThan(v2.sequence as number);
    const status = await h.waitFor('the apply of the rollback reported', async () => {
      const s = await webStatus();
      return s?.apply?.digest === rolled.digest && s?.apply?.ready ? s : undefined;
    });
    expect(status.apply?.revision).toBe(v1.revision);
    expect(status.render?.message).toMatch(
      /^Rolled back to main@sha1:[0-9a-f]{40} \(sha256:[0-9a-f]{64}\) from main@sha1:/,
    );
    // The signed record says it is a rollback; the content is v1's.
    const signed = await stateOf(h.plane.deps).getArtifactAt(rolled.artifactKey as string);
    const payload = verifyArtifact(signed as never, h.plane.publicKeyPem, rolled.digest);
    expect(payload.rollback).toMatchObject({
      to: v1.digest,
      from: v2.digest,
      reason: 'v2 breaks login',
      held: { digest: v2.digest },
    });
  }, 30_000);

  it('does not let a store writer replay the entry it replaced, nor the original of the content it restored', async () => {
    const refusedV2 = await replay(v2);
    expect(refusedV2).toMatchObject({ ready: false, reason: 'ArtifactRejected' });
    expect(live()).toBe('v1');
    const refusedV1 = await replay(v1);
    expect(refusedV1).toMatchObject({ ready: false, reason: 'ArtifactRejected' });
    expect(refusedV1.message).toMatch(/older than the last applied/);
    // Put the rollback back: the record the puller last applied.
    await putJson(h.plane.deps.store, stateKeys.index('dev', targetOf(WEB)), rolled);
  }, 30_000);

  it('holds against a render of the same inputs and against an unrelated fleet commit', async () => {
    await enqueueRender(h.plane.deps, 'dev', targetOf(WEB));
    await h.waitFor('the render held', async () =>
      (await webStatus())?.render?.message.includes('holds') ? true : undefined,
    );
    expect((await indexOf()).digest).toBe(rolled.digest);

    await fleetCommit(
      { 'infrastructure/other.yaml': settings('unrelated').replaceAll('web-', 'other-') },
      'unrelated',
    );
    await h.waitFor('the fleet commit rendered and held', async () => {
      const render = (await webStatus())?.render;
      return render?.message.includes('holds') && !render.message.includes(v2.revision) ? true : undefined;
    });
    expect((await indexOf()).digest).toBe(rolled.digest);
    expect(live()).toBe('v1');
    expect(livePassword()).toBe('pw-v1');
  }, 30_000);

  it('a fix commit publishes over it', async () => {
    await fleetCommit({ 'web/cm.yaml': settings('v3') }, 'web: v3, the fix');
    await h.waitFor('v3 applied', () => (live() === 'v3' ? true : undefined));
    const fixed = await indexOf();
    expect(fixed.rollback).toBeUndefined();
    expect(fixed.sequence).toBeGreaterThan(rolled.sequence as number);
    expect((await webStatus())?.render?.message).toMatch(/^Rendered revision/);
  }, 30_000);
});

describe('a rollback request', () => {
  it('is refused without the API token', async () => {
    const res = await rollbackApi(
      { cluster: 'dev', namespace: 'flux-system', name: 'web', to: v1.digest },
      'Bearer wrong',
    );
    expect(res.status).toBe(401);
  });

  it("is refused for another target's artifact, an unknown digest, an unknown cluster or target", async () => {
    const infra = (await getJson<IndexEntry>(
      h.plane.deps.store,
      stateKeys.index('dev', targetOf({ namespace: 'flux-system', name: 'infrastructure' })),
    )) as IndexEntry;
    const ask = (over: Record<string, string>) =>
      rollbackApi({ cluster: 'dev', namespace: 'flux-system', name: 'web', to: v1.digest, ...over });
    const answers = await Promise.all([
      ask({ to: infra.digest as string }),
      ask({ to: `sha256:${'0'.repeat(64)}` }),
      ask({ cluster: 'prod' }),
      ask({ name: 'nope' }),
      ask({ to: '../../etc/passwd' }),
    ]);
    const codes = await Promise.all(
      answers.map(async (r) => [r.status, ((await r.json()) as { code: string }).code]),
    );
    expect(codes).toEqual([
      [422, 'ArtifactRejected'],
      [404, 'ReferenceNotFound'],
      [404, 'ReferenceNotFound'],
      [404, 'ReferenceNotFound'],
      [400, 'UsageError'],
    ]);
  });

  it('takes a digest by its start, as sluice status shows it, and lists what it can go back to', async () => {
    const list = await fetch(`${h.plane.apiUrl}/api/rollback?cluster=dev&namespace=flux-system&name=web`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const { artifacts } = (await list.json()) as {
      artifacts: { digest: string; current: boolean; rollbackTo?: string }[];
    };
    expect(artifacts.map((a) => a.digest)).toEqual(expect.arrayContaining([v1.digest, v2.digest]));
    expect(artifacts[0]).toMatchObject({ current: true });
    expect(artifacts.some((a) => a.rollbackTo === v1.digest)).toBe(true);

    const res = await rollbackApi({
      cluster: 'dev',
      namespace: 'flux-system',
      name: 'web',
      to: (v2.digest as string).slice(0, 19),
    });
    expect(await res.json()).toMatchObject({ to: v2.digest });
    await h.waitFor('v2 applied again', () => (live() === 'v2' ? true : undefined));
  }, 30_000);

  it('through the webhook, signed with the rollback secret, carries the time it was signed, and an old body is refused as a replay', async () => {
    const send = (at: string) => {
      const body = JSON.stringify({
        rollback: { cluster: 'dev', namespace: 'flux-system', name: 'web', to: v1.digest },
        at,
        requestId: at,
      });
      return fetch(`${h.plane.apiUrl}/hooks/generic`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': signBody(body, ROLLBACK_SECRET),
        },
        body,
      });
    };
    const old = await send(new Date(Date.now() - 10 * 60_000).toISOString());
    expect(old.status).toBe(400);
    expect(((await old.json()) as { code: string }).code).toBe('WebhookRejected');
    const fresh = await send(new Date().toISOString());
    expect(fresh.status).toBe(202);
    expect(await fresh.json()).toMatchObject({ rollback: { to: v1.digest } });
    await h.waitFor('v1 applied by the webhook rollback', async () =>
      live() === 'v1' && (await indexOf()).rollback?.by === 'webhook' ? true : undefined,
    );
  }, 30_000);
});

describe('a HelmRelease rollback', () => {
  const HELLO = { kind: 'HelmRelease' as const, namespace: 'flux-system', name: 'hello' };
  const greeting = () =>
    (h.kube.object('v1', 'ConfigMap', 'hello-greeting', 'hello')?.data as Record<string, string> | undefined)
      ?.greeting;
  const helloIndex = async () =>
    (await getJson<IndexEntry>(h.plane.deps.store, stateKeys.index('dev', HELLO))) as IndexEntry;

  it('puts the earlier values back through a new release revision', async () => {
    await h.waitFor('hello installed', () => (greeting() === 'Hello from Sluice' ? true : undefined));
    const before = await helloIndex();
    const file = readFileSync(join(EXAMPLE_FLEET, 'clusters/dev/hello.yaml'), 'utf8');
    await fleetCommit(
      { 'clusters/dev/hello.yaml': file.replace('Hello from Sluice', 'Hello again') },
      'hello: again',
    );
    await h.waitFor('hello upgraded', () => (greeting() === 'Hello again' ? true : undefined));
    const res = await rollbackApi({ ...HELLO, cluster: 'dev', to: before.digest });
    expect(res.status).toBe(202);
    await h.waitFor('hello rolled back', () => (greeting() === 'Hello from Sluice' ? true : undefined));
    const rolled = await helloIndex();
    expect(rolled.rollback?.to).toBe(before.digest);
    const apply = await h.waitFor('the release reported', async () => {
      const k = (await h.status()).clusters[0]?.kustomizations.find(
        (t) => t.kind === 'HelmRelease' && t.name === 'hello',
      );
      return k?.apply?.digest === rolled.digest ? k?.apply : undefined;
    });
    expect(apply).toMatchObject({ ready: true });
  }, 60_000);
});
