// handleWebhook against the real local SQS/S3 server: the signature gates everything; GitHub, Gitea, GitLab
// and generic payloads name the repository in different fields, each spelling of which finds its sources.
// (test/security/webhook.test.ts covers non-object bodies and replays through the HTTP API.)
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeJob } from '../../shared/core/pipeline/jobs.ts';
import type { FetchSpec } from '../../shared/core/pipeline/records.ts';
import { stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { signBody } from '../../shared/core/pipeline/webhook-signature.ts';
import { putJson } from '../../shared/ports/object-store.ts';
import { handleWebhook } from '../../shared/usecases/handle-webhook.ts';
import { rejectionOf } from '../support/error-of.ts';
import { type StoreAndQueues, startStoreAndQueues } from '../support/store-and-queues.ts';

const SECRET = 'webhook-secret';
const APP = 'https://git.example.com/team/app.git';
let env: StoreAndQueues;
let deliveries = 0;

beforeAll(async () => {
  env = await startStoreAndQueues('hook');
  const spec = (sourceKey: string, url: string, branch: string): FetchSpec => ({
    sourceKey,
    url,
    ref: { branch },
    intervalMs: 60_000,
    declaredBy: `GitRepository/flux-system/${sourceKey}`,
  });
  // Two sources fetch the app repository (two branches), one fetches another repository.
  await putJson(env.deps.store, stateKeys.fetchSpec('app-main'), spec('app-main', APP, 'main'));
  await putJson(env.deps.store, stateKeys.fetchSpec('app-next'), spec('app-next', APP, 'next'));
  await putJson(
    env.deps.store,
    stateKeys.fetchSpec('other'),
    spec('other', 'https://git.example.com/team/other', 'main'),
  );
});
afterAll(() => env?.close());
beforeEach(() => env.drain(env.deps.queues.fetch));

/** A payload with a field no other test sends, so each test is a new delivery. */
const unique = (payload: Record<string, unknown>) => ({ ...payload, after: `commit-${++deliveries}` });

function post(payload: unknown, signature?: string) {
  const body = Buffer.from(JSON.stringify(payload));
  return handleWebhook(env.deps, { body, secret: SECRET, signature: signature ?? signBody(body, SECRET) });
}

async function queuedFetches(): Promise<string[]> {
  const jobs = (await env.drain(env.deps.queues.fetch)).map((m) => decodeJob(m.body));
  for (const job of jobs) expect(job).toMatchObject({ kind: 'fetch', reason: 'webhook' });
  return jobs.map((j) => (j.kind === 'fetch' ? j.sourceKey : '')).sort();
}

describe('handleWebhook refuses, and queues nothing, when', () => {
  const body = Buffer.from(JSON.stringify({ repository: APP }));
  it.each([
    ['the signature is missing', undefined, SECRET],
    ['the signature is made with another secret', signBody(body, 'another-secret'), SECRET],
    ['the signature is not hex', 'sha256=not-a-digest', SECRET],
    ['the signature covers another body', signBody('{"repository":"x"}', SECRET), SECRET],
    ['no secret is configured, even for a body signed with the empty secret', signBody(body, ''), ''],
  ])('%s', async (_case, signature, secret) => {
    const err = await rejectionOf(handleWebhook(env.deps, { body, signature, secret }));
    expect(err).toMatchObject({ code: 'WebhookRejected', retryable: false });
    expect(await queuedFetches()).toEqual([]);
  });

  it.each([
    ['is not JSON', 'repository=app'],
    ['names no repository', '{"ref":"refs/heads/main"}'],
    ['names the repository with an empty string', '{"repository":""}'],
  ])('the signed body %s', async (_case, text) => {
    const body = Buffer.from(text);
    const err = await rejectionOf(
      handleWebhook(env.deps, { body, secret: SECRET, signature: signBody(body, SECRET) }),
    );
    expect(err).toMatchObject({ code: 'WebhookRejected' });
    expect(await queuedFetches()).toEqual([]);
  });
});

describe('handleWebhook finds the sources of the repository a payload names', () => {
  it.each([
    [
      'GitHub',
      {
        ref: 'refs/heads/main',
        repository: {
          full_name: 'team/app',
          html_url: 'https://git.example.com/team/app',
          clone_url: APP,
          ssh_url: 'git@git.example.com:team/app.git',
        },
      },
    ],
    [
      'Gitea',
      {
        ref: 'refs/heads/main',
        repository: {
          full_name: 'team/app',
          html_url: 'https://git.example.com/team/app',
          clone_url: APP,
          ssh_url: 'ssh://git@git.example.com:2222/team/app.git',
        },
      },
    ],
    [
      'GitLab (git_http_url)',
      {
        object_kind: 'push',
        repository: {
          name: 'app',
          url: 'git@git.example.com:team/app.git',
          git_http_url: APP,
          git_ssh_url: 'git@git.example.com:team/app.git',
        },
      },
    ],
    ['generic, repository as a string', { repository: APP }],
    ['generic, a top-level url', { url: APP }],
  ])('%s', async (_provider, payload) => {
    const result = await post(unique(payload));
    expect(result.sources).toBe(2);
    expect(await queuedFetches()).toEqual(['app-main', 'app-next']);
  });

  it.each([
    ['without .git', 'https://git.example.com/team/app'],
    ['with a trailing slash', 'https://git.example.com/team/app/'],
    ['with an upper-case host', 'https://GIT.Example.COM/team/app.git'],
    ['with credentials in it', 'https://bot:token@git.example.com/team/app.git'],
  ])('a repository URL %s', async (_case, url) => {
    expect((await post(unique({ repository: url }))).sources).toBe(2);
    expect(await queuedFetches()).toEqual(['app-main', 'app-next']);
  });

  it('a source whose spec omits .git, from a payload that has it', async () => {
    expect(
      await post(unique({ repository: { clone_url: 'https://git.example.com/team/other.git' } })),
    ).toEqual({
      repository: 'https://git.example.com/team/other.git',
      sources: 1,
    });
    expect(await queuedFetches()).toEqual(['other']);
  });

  it('none for a repository no source fetches, and answers without failing', async () => {
    const result = await post(unique({ repository: 'https://git.example.com/team/unknown.git' }));
    expect(result).toEqual({ repository: 'https://git.example.com/team/unknown.git', sources: 0 });
    expect(await queuedFetches()).toEqual([]);
  });

  it('none for another path on the same host (a prefix is not a match)', async () => {
    expect((await post(unique({ repository: 'https://git.example.com/team/app-tools.git' }))).sources).toBe(
      0,
    );
    expect((await post(unique({ repository: 'https://git.example.com/team' }))).sources).toBe(0);
    expect(await queuedFetches()).toEqual([]);
  });
});

describe('handleWebhook deliveries', () => {
  it('queue one fetch per source for a body delivered twice, however many sources share the repository', async () => {
    const payload = unique({ repository: APP });
    expect((await post(payload)).sources).toBe(2);
    expect((await post(payload)).sources).toBe(2);
    expect(await queuedFetches()).toEqual(['app-main', 'app-next']);
  });
});
