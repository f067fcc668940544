// The embedded control plane's local servers are not an open door: its SQS/S3 server answers only SigV4
// requests by its principals, each cluster's puller only within its cloud grant; its Git server wants the
// generated token; and nothing listens beyond loopback without credentials.
import { statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlane, startControlPlane } from '../../embedded/control-plane.ts';
import { startHttpApi } from '../../embedded/http-api.ts';
import {
  API_TOKEN_FILE,
  loadOrCreateStoreCredentials,
  type StoreCredentials,
} from '../../embedded/local-credentials.ts';
import { createAwsClients } from '../../shared/adapters/aws/clients.ts';
import { startGitHttpServer } from '../../shared/adapters/embedded/git-http-server.ts';
import { isSluiceError } from '../../shared/core/errors.ts';
import { silentLogger } from '../../shared/ports/logger.ts';
import { readStatus } from '../../shared/usecases/read-status.ts';
import { isolatedGitEnv, runGit } from '../support/git-fixture-repo.ts';
import { EXAMPLE_FLEET } from '../support/pipeline-harness.ts';

const BUCKET = 'sluice-artifacts';
let root: string;
let plane: ControlPlane;
let creds: StoreCredentials;

type Clients = { s3: S3Client; sqs: SQSClient };
const as = (key: { accessKeyId: string; secretAccessKey: string }): Clients =>
  createAwsClients({ region: 'us-east-1', endpoint: plane.queueEndpoint, credentials: key });

/** The SDK error's code and HTTP status, or 'ok'. */
async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    return `${e.$metadata?.httpStatusCode} ${e.name}`;
  }
}

const queueUrl = (name: string) => `${plane.queueEndpoint}/000000000000/${name}`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-local-servers-'));
  plane = await startControlPlane({
    dataDir: join(root, 'data'),
    // These tests are about the pipeline, not the sandbox: bubblewrap when installed, else a plain process.
    renderSandbox: 'auto',
    clusters: ['dev', 'prod'],
    exampleFleetDir: EXAMPLE_FLEET,
    kube: 'none',
    scheduleEveryMs: 3_600_000,
    log: silentLogger,
  });
  creds = JSON.parse(await readFile(plane.storeCredentialsFile, 'utf8')) as StoreCredentials;
  const admin = as(creds.controlPlane);
  for (const key of [
    'artifacts/dev/app.json',
    'artifacts/prod/app.json',
    'clusters/dev/index/flux-system/app.json',
    'clusters/prod/index/flux-system/app.json',
  ]) {
    await admin.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `{"key":"${key}"}` }));
  }
}, 60_000);

afterAll(async () => {
  await plane?.close();
  await rm(root, { recursive: true, force: true });
});

describe('credentials of the local servers', () => {
  it('are generated on first start and kept in the data directory, readable by the owner only', () => {
    for (const file of [plane.storeCredentialsFile, plane.fleetAuth?.tokenFile ?? '']) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
    expect(Object.keys(creds.clusters).sort()).toEqual(['dev', 'prod']);
    const keys = [creds.controlPlane, creds.clusters.dev, creds.clusters.prod].map((k) => k?.accessKeyId);
    expect(new Set(keys).size).toBe(3);
  });
});

describe('credentials on the next start', () => {
  it('are the same keys, plus one for each newly declared cluster', () => {
    const again = loadOrCreateStoreCredentials(join(root, 'data'), ['dev', 'prod', 'qa']);
    // (The SDK tags the credential objects it was given; compare the keys only.)
    const keys = (k?: { accessKeyId: string; secretAccessKey: string }) => [
      k?.accessKeyId,
      k?.secretAccessKey,
    ];
    expect(keys(again.controlPlane)).toEqual(keys(creds.controlPlane));
    expect(keys(again.clusters.dev)).toEqual(keys(creds.clusters.dev));
    expect(again.clusters.qa?.accessKeyId).toMatch(/^SLU[0-9A-F]{17}$/);
    expect(statSync(plane.storeCredentialsFile).mode & 0o777).toBe(0o600);
  });
});

describe('the embedded SQS/S3 server', () => {
  it('answers an unsigned S3 request with an AWS-shaped 403', async () => {
    const res = await fetch(`${plane.queueEndpoint}/${BUCKET}/artifacts/dev/app.json`);
    expect(res.status).toBe(403);
    const body = await res.text();
    expect(body).toMatch(/<Error><Code>MissingAuthenticationToken<\/Code>/);
    expect(body).not.toContain('artifacts/dev/app.json"}');
  });

  it('answers an unsigned SQS request with 403 and sends nothing', async () => {
    const res = await fetch(plane.queueEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { __type: string }).__type).toMatch(/MissingAuthenticationToken$/);
  });

  it('refuses an unknown access key and a wrong secret, with the real SDK clients', async () => {
    const stranger = as({ accessKeyId: 'AKIASTRANGER', secretAccessKey: 'whatever' });
    expect(
      await outcome(() =>
        stranger.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'artifacts/dev/app.json' })),
      ),
    ).toBe('403 InvalidAccessKeyId');
    const forged = as({ accessKeyId: creds.controlPlane.accessKeyId, secretAccessKey: 'guessed-secret' });
    expect(await outcome(() => forged.s3.send(new ListObjectsV2Command({ Bucket: BUCKET })))).toBe(
      '403 SignatureDoesNotMatch',
    );
    expect(
      await outcome(() =>
        forged.sqs.send(
          new SendMessageCommand({ QueueUrl: queueUrl('sluice-cluster-dev'), MessageBody: 'x' }),
        ),
      ),
    ).toMatch(/^403 /);
  });

  it('refuses a signed request replayed with another body', async () => {
    const admin = as(creds.controlPlane);
    let captured: { url: string; headers: Record<string, string> } | undefined;
    admin.s3.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as {
          hostname: string;
          port?: number;
          path: string;
          query?: Record<string, string>;
          headers: Record<string, string>;
        };
        const query = new URLSearchParams(request.query ?? {}).toString();
        captured = {
          url: `http://${request.hostname}:${request.port}${request.path}${query ? `?${query}` : ''}`,
          headers: { ...request.headers },
        };
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'capture' },
    );
    await admin.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'artifacts/dev/replayed.json', Body: 'good' }),
    );
    if (!captured) throw new Error('request not captured');
    const replay = await fetch(captured.url, {
      method: 'PUT',
      headers: { ...captured.headers, 'content-length': '4' },
      body: 'evil',
    });
    expect(replay.status).toBe(400);
    const body = await admin.s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'artifacts/dev/replayed.json' }),
    );
    expect(await body.Body?.transformToString()).toBe('good');
  });

  it("verifies presigned URLs too: their signature, their expiry and the signer's grant", async () => {
    const dev = as(creds.clusters.dev as StoreCredentials['controlPlane']);
    const own = await getSignedUrl(
      dev.s3,
      new GetObjectCommand({ Bucket: BUCKET, Key: 'artifacts/dev/app.json' }),
      {
        expiresIn: 60,
      },
    );
    expect((await fetch(own)).status).toBe(200);
    const moved = own.replace('artifacts/dev/app.json', 'artifacts/prod/app.json');
    expect((await fetch(moved)).status).toBe(403);
    const tampered = own.replace(
      /X-Amz-Signature=([0-9a-f])/,
      (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`,
    );
    expect((await fetch(tampered)).status).toBe(403);
    const other = await getSignedUrl(
      dev.s3,
      new GetObjectCommand({ Bucket: BUCKET, Key: 'artifacts/prod/app.json' }),
      {
        expiresIn: 60,
      },
    );
    expect((await fetch(other)).status).toBe(403);
    const stale = await getSignedUrl(
      dev.s3,
      new GetObjectCommand({ Bucket: BUCKET, Key: 'artifacts/dev/app.json' }),
      {
        expiresIn: 60,
        signingDate: new Date(Date.now() - 3_600_000),
      },
    );
    expect((await fetch(stale)).status).toBe(403);
  });

  it("lets a cluster's puller read its own artifacts and index, as its cloud role does", async () => {
    const dev = as(creds.clusters.dev as StoreCredentials['controlPlane']);
    const got = await dev.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'artifacts/dev/app.json' }));
    expect(await got.Body?.transformToString()).toContain('artifacts/dev/app.json');
    const listed = await dev.s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'clusters/dev/index/' }),
    );
    expect(listed.Contents?.map((c) => c.Key)).toEqual(['clusters/dev/index/flux-system/app.json']);
    expect(
      await outcome(() =>
        dev.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'clusters/dev/index/flux-system/app.json' })),
      ),
    ).toBe('ok');
  });

  it.each([
    [
      'read another cluster artifact',
      (c: Clients) => c.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'artifacts/prod/app.json' })),
    ],
    [
      'read another cluster index',
      (c: Clients) =>
        c.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'clusters/prod/index/flux-system/app.json' })),
    ],
    [
      'list another cluster index',
      (c: Clients) => c.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'clusters/prod/index/' })),
    ],
    ['list the whole bucket', (c: Clients) => c.s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))],
    [
      'read control-plane state',
      (c: Clients) => c.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'fetch/' })),
    ],
    [
      'write its own artifacts',
      (c: Clients) =>
        c.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'artifacts/dev/app.json', Body: '{}' })),
    ],
    [
      'write its own index',
      (c: Clients) =>
        c.s3.send(
          new PutObjectCommand({ Bucket: BUCKET, Key: 'clusters/dev/index/flux-system/x.json', Body: '{}' }),
        ),
    ],
    [
      'receive from another cluster queue',
      (c: Clients) =>
        c.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl('sluice-cluster-prod'), WaitTimeSeconds: 0 }),
        ),
    ],
    [
      'report on another cluster channel',
      (c: Clients) =>
        c.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl('sluice-reports-prod'), MessageBody: '{}' })),
    ],
    [
      'queue a fetch',
      (c: Clients) =>
        c.sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl('sluice-fetch.fifo'),
            MessageBody: '{}',
            MessageGroupId: 'g',
            MessageDeduplicationId: 'd',
          }),
        ),
    ],
  ])("refuses a puller's attempt to %s (403)", async (_what, run) => {
    const dev = as(creds.clusters.dev as StoreCredentials['controlPlane']);
    expect(await outcome(() => run(dev))).toMatch(/^403 AccessDenied/);
  });

  it('lets a puller receive from its own queue and report on its own channel', async () => {
    const dev = as(creds.clusters.dev as StoreCredentials['controlPlane']);
    expect(
      await outcome(() =>
        dev.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl('sluice-cluster-dev'), WaitTimeSeconds: 0 }),
        ),
      ),
    ).toBe('ok');
    // Sent, not read back: the control plane's report worker consumes the channel.
    expect(
      await outcome(() =>
        dev.sqs.send(
          new SendMessageCommand({ QueueUrl: queueUrl('sluice-reports-dev'), MessageBody: 'not a report' }),
        ),
      ),
    ).toBe('ok');
  });
});

describe("the fleet's Git server", () => {
  it('refuses a clone without the token', async () => {
    const dir = await mkdtemp(join(root, 'anon-'));
    await expect(runGit(dir, ['clone', '--quiet', plane.fleetUrl, 'fleet'])).rejects.toThrow(
      /Authentication failed|could not read Username|401/,
    );
  });

  it('lets the user clone and push with the token from the data directory, as the start banner says', async () => {
    const auth = plane.fleetAuth;
    if (!auth) throw new Error('no fleet credentials');
    const token = (await readFile(auth.tokenFile, 'utf8')).trim();
    const url = plane.fleetUrl.replace('http://', `http://${auth.username}:${token}@`);
    const dir = await mkdtemp(join(root, 'user-'));
    await runGit(dir, ['clone', '--quiet', url, 'fleet']);
    const work = join(dir, 'fleet');
    await writeFile(join(work, 'NOTE.md'), 'pushed by the user\n');
    const env = isolatedGitEnv({
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    });
    await runGit(work, ['add', 'NOTE.md'], env);
    await runGit(work, ['commit', '--quiet', '-m', 'note'], env);
    await runGit(work, ['push', '--quiet', 'origin', 'HEAD:main'], env);
  });

  it('is fetched by the control plane with its credentials, which are nowhere in the store', async () => {
    const token = (await readFile(plane.fleetAuth?.tokenFile ?? '', 'utf8')).trim();
    const deadline = Date.now() + 30_000;
    let revision: string | undefined;
    while (!revision && Date.now() < deadline) {
      const status = await readStatus(plane.deps);
      revision = status.sources.find((s) => s.url.startsWith(plane.fleetUrl.replace(/\.git$/, '')))?.revision;
      if (!revision) await new Promise((r) => setTimeout(r, 100));
    }
    expect(revision).toMatch(/^main@sha1:/);
    for (const key of await plane.deps.store.list('fetch/')) {
      const value = await plane.deps.store.get(key);
      expect(Buffer.from(value ?? '').toString('latin1')).not.toContain(token);
    }
  }, 40_000);
});

describe('listening beyond loopback', () => {
  const refusal = async (start: () => Promise<unknown>) => {
    try {
      const server = (await start()) as { close(): Promise<void> };
      await server.close();
      return 'listening';
    } catch (err) {
      if (isSluiceError(err)) return err.code;
      throw err;
    }
  };

  it('is refused for a Git server without credentials, allowed with them', async () => {
    expect(await refusal(() => startGitHttpServer({ root, host: '0.0.0.0' }))).toBe('ConfigInvalid');
    expect(
      await refusal(() =>
        startGitHttpServer({ root, host: '0.0.0.0', auth: { username: 'u', password: 'p' } }),
      ),
    ).toBe('listening');
  });

  it('is refused for the webhook and status API without a status token; with one, status wants it', async () => {
    const base = { deps: plane.deps, webhookSecret: 's', port: 0 };
    expect(await refusal(() => startHttpApi({ ...base, host: '0.0.0.0' }))).toBe('ConfigInvalid');
    const api = await startHttpApi({ ...base, host: '0.0.0.0', statusToken: 'status-token' });
    try {
      const url = api.url.replace('0.0.0.0', '127.0.0.1');
      expect((await fetch(`${url}/api/status`)).status).toBe(401);
      const ok = await fetch(`${url}/api/status`, { headers: { authorization: 'Bearer status-token' } });
      expect(ok.status).toBe(200);
    } finally {
      await api.close();
    }
  });
});

describe('the artifact API', () => {
  it('wants the API token even on loopback: artifacts may hold Secrets another local user must not read', async () => {
    const url = `${plane.apiUrl}/api/artifact?cluster=dev&namespace=flux-system&name=apps`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer not-the-token' } })).status).toBe(401);
    const token = (await readFile(join(root, 'data', API_TOKEN_FILE), 'utf8')).trim();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).not.toBe(401);
  });
});
