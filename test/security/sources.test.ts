// Sources cannot cross repositories or reach inside: caches keyed by repository, source URLs checked
// against the address policy on every hop, no response body in any error, credentials kept to their
// origin, and bounded, contained snapshots. Each case was a hole before its fix.
import { mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../shared/adapters/aws/clients.ts';
import { ensureInfrastructure } from '../../shared/adapters/aws/ensure-infrastructure.ts';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.ts';
import { SqsQueue } from '../../shared/adapters/aws/sqs-queue.ts';
import { startFauxqs } from '../../shared/adapters/embedded/fauxqs-server.ts';
import { IsomorphicGitSource } from '../../shared/adapters/git/isomorphic-git-source.ts';
import {
  gzipSnapshotBundler,
  packSnapshot,
  unpackSnapshot,
} from '../../shared/adapters/local/snapshot-bundle.ts';
import { decodeResource } from '../../shared/api/decode-resource.ts';
import { loadCloudConfig } from '../../shared/config/cloud-config.ts';
import { embeddedSourcePolicy } from '../../shared/config/source-address-settings.ts';
import type { SluiceError } from '../../shared/core/errors.ts';
import { type AddressClass, classifyIp, parseIp } from '../../shared/core/net/ip-address.ts';
import { nextHop } from '../../shared/core/net/redirect-hop.ts';
import type { SourceAddressPolicy } from '../../shared/core/net/source-address-policy.ts';
import { resolveInTree } from '../../shared/core/paths/symlink-chain.ts';
import { encodeJob } from '../../shared/core/pipeline/jobs.ts';
import type { FetchState } from '../../shared/core/pipeline/records.ts';
import { stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import type { HostResolver } from '../../shared/ports/host-resolver.ts';
import type { Logger } from '../../shared/ports/logger.ts';
import { getJson, putJson } from '../../shared/ports/object-store.ts';
import { fetchSource } from '../../shared/usecases/fetch-source.ts';
import { defaultQueueNames, type PipelineDeps } from '../../shared/usecases/pipeline-deps.ts';
import { processMessage } from '../../shared/usecases/process-message.ts';
import { rejectionOf } from '../support/error-of.ts';
import { createFixtureRepo, type FixtureRepo } from '../support/git-fixture-repo.ts';
import { type GitHttpServer, startGitHttpServer } from '../support/git-http-server.ts';

let root: string;
let server: GitHttpServer;
let fleet: FixtureRepo;
let tenant: FixtureRepo;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-sources-'));
  fleet = await createFixtureRepo(join(root, 'served'), 'fleet');
  await fleet.write({ 'secret/values.yaml': 'kind: ConfigMap\n' });
  await fleet.commit('fleet');
  await fleet.push();
  tenant = await createFixtureRepo(join(root, 'served'), 'tenant');
  await tenant.write({ 'app.yaml': 'kind: ConfigMap\n' });
  await tenant.commit('tenant');
  await tenant.push();
  server = await startGitHttpServer({ root: join(root, 'served') });
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

function source(
  opts: Partial<ConstructorParameters<typeof IsomorphicGitSource>[0]> = {},
): IsomorphicGitSource {
  return new IsomorphicGitSource({
    cacheDir: join(root, `cache-${Math.random().toString(36).slice(2)}`),
    addressPolicy: { publicOnly: false, allowed: ['127.0.0.1/32'], allowSetting: 'allowedSourceHosts' },
    ...opts,
  });
}

const failure = rejectionOf;

describe('snapshots and object caches are per repository', () => {
  it("a commit of another repository is not served from that repository's cache", async () => {
    const git = source();
    const fleetCommit = await fleet.head();
    const own = await git.fetch({ url: server.url('fleet'), ref: { commit: fleetCommit } });
    expect(own.commit).toBe(fleetCommit);
    const err = await failure(git.fetch({ url: server.url('tenant'), ref: { commit: fleetCommit } }));
    expect(err.code).toBe('GitRefNotFound');
  });

  it('the same commit in two repositories gives two snapshots', async () => {
    const git = source();
    const a = await git.fetch({ url: server.url('fleet'), ref: { branch: 'main' } });
    const b = await git.fetch({
      url: server.url('fleet').replace('://', '://flux@'),
      ref: { branch: 'main' },
    });
    expect(b.digest).toBe(a.digest); // one repository, two spellings
    const other = await git.fetch({ url: server.url('tenant'), ref: { branch: 'main' } });
    expect(other.digest).not.toBe(a.digest);
  });
});

describe('credentials in spec.url', () => {
  const repo = (url: string) => ({
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'app', namespace: 'team-a' },
    spec: { url, interval: '1m' },
  });
  const decodeError = (url: string) => {
    try {
      decodeResource(repo(url), { file: 'clusters/dev/app.yaml', document: 0 });
    } catch (err) {
      return err as SluiceError;
    }
    throw new Error('expected a decode error');
  };

  it.each([
    'https://deploy:hunter2-pw@git.example.com/org/app.git',
    'http://deploy:hunter2-pw@git.example.com/org/app.git',
    'HTTPS://deploy:hunter2-pw@git.example.com/org/app.git',
    'https://token-hunter2-pw@git.example.com/org/app.git',
  ])('%s is refused with a hint to use spec.secretRef, without echoing it', (url) => {
    const err = decodeError(url);
    expect(err.code).toBe('ValidationFailed');
    expect(err.message).toContain('spec.url');
    expect(err.message).toContain('spec.secretRef');
    expect(err.message).not.toContain('hunter2');
  });

  it('a malformed URL with a password is not echoed either', () => {
    const err = decodeError('https:deploy:hunter2-pw@git.example.com/org/app.git');
    expect(err.message).not.toContain('hunter2');
  });
});

/** A stand-in Git host under the test's control: each request is answered by `handle`, and recorded. */
interface StandIn {
  origin: string;
  url(repo: string): string;
  seen: { method: string; path: string; authorization?: string }[];
  close(): Promise<void>;
}

async function standIn(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<StandIn> {
  const seen: StandIn['seen'] = [];
  const server: Server = createServer((req, res) => {
    seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      ...(req.headers.authorization && { authorization: req.headers.authorization }),
    });
    req.resume();
    req.on('end', () => handle(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (repo) => `${origin}/${repo}.git`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const pkt = (line: string): string => `${(Buffer.byteLength(line) + 4).toString(16).padStart(4, '0')}${line}`;
const OID = 'a'.repeat(40);
const MARKER = 'BODY-MARKER-7f3a';

/** Answers like a Git server until the server-chosen failure (`repo` names it). */
function hostile(req: IncomingMessage, res: ServerResponse): void {
  const repo = (req.url ?? '').split('/')[1] ?? '';
  const advert =
    pkt('# service=git-upload-pack\n') +
    '0000' +
    pkt(`${OID} HEAD\0side-band-64k shallow no-progress symref=HEAD:refs/heads/main\n`) +
    pkt(`${OID} refs/heads/main\n`) +
    '0000';
  switch (repo) {
    case 'status500.git':
      res.writeHead(500, `Broken ${MARKER}`, { 'content-type': 'text/plain' }).end(`oops ${MARKER}`);
      return;
    case 'status403.git':
      res.writeHead(403, { 'content-type': 'text/html' }).end(`<h1>denied ${MARKER}</h1>`);
      return;
    case 'html.git':
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<html>${MARKER}</html>`);
      return;
    case 'garbage.git':
      res
        .writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement' })
        .end(pkt(`${MARKER}\n`));
      return;
    case 'sideband.git':
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement' }).end(advert);
      } else {
        res
          .writeHead(200, { 'content-type': 'application/x-git-upload-pack-result' })
          .end(`${pkt('NAK\n')}${pkt(`\x03fatal: ${MARKER}\n`)}0000`);
      }
      return;
    default:
      res.writeHead(404).end(MARKER);
  }
}

describe('the fetch worker: no response body in an error, a status or a log; limits are final', () => {
  let host: StandIn;
  let fauxqs: Awaited<ReturnType<typeof startFauxqs>>;
  let deps: PipelineDeps;
  const lines: string[] = [];
  const queues = defaultQueueNames('bodies');
  const log: Logger = {
    info: (m, f) => lines.push(`${m} ${JSON.stringify(f)}`),
    warn: (m, f) => lines.push(`${m} ${JSON.stringify(f)}`),
    error: (m, f) => lines.push(`${m} ${JSON.stringify(f)}`),
  };

  beforeAll(async () => {
    host = await standIn(hostile);
    fauxqs = await startFauxqs({
      principals: [{ name: 'test', accessKeyId: 'x', secretAccessKey: 'x', policy: 'all' }],
    } as Parameters<typeof startFauxqs>[0]);
    const clients = createAwsClients({
      region: 'us-east-1',
      endpoint: fauxqs.endpoint,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    await ensureInfrastructure(clients, queues, [], 'bodies');
    deps = {
      store: new S3ObjectStore(clients.s3, 'bodies'),
      queue: new SqsQueue(clients.sqs),
      git: source(),
      snapshots: gzipSnapshotBundler,
      clock: { now: () => Date.parse('2026-11-30T12:00:00Z') },
      log,
      queues,
      settings: { clusters: ['dev'], strictSubstitution: true, allowRemoteBases: false, snapshotsDir: root },
    } as unknown as PipelineDeps;
  });

  afterAll(async () => {
    await host?.close();
    await fauxqs?.close();
  });

  /** One fetch job through the worker's message handling, as the fetch function or loop runs it. */
  const runFetchJob = async (sourceKey: string, url: string, git = deps.git) => {
    await putJson(deps.store, stateKeys.fetchSpec(sourceKey), {
      sourceKey,
      url,
      ref: { branch: 'main' },
      intervalMs: 60_000,
      declaredBy: `GitRepository/team-a/${sourceKey}`,
    });
    await deps.queue.send(queues.fetch, {
      body: encodeJob({ kind: 'fetch', sourceKey, reason: 'schedule' }),
      groupId: sourceKey,
      deduplicationId: sourceKey,
    });
    const [message] = await deps.queue.receive(queues.fetch, { maxMessages: 1 });
    const outcome = await processMessage(
      { queue: deps.queue, log, deadLetterQueue: queues.deadLetter(queues.fetch) },
      queues.fetch,
      message as NonNullable<typeof message>,
      (job) => fetchSource({ ...deps, git }, job as never),
    );
    return { outcome, state: await getJson<FetchState>(deps.store, stateKeys.fetchState(sourceKey)) };
  };

  it('a file over the limit is dead-lettered at once, not retried, with the reason in the status', async () => {
    const repo = await createFixtureRepo(join(root, 'served'), 'toolarge');
    await repo.write({ 'data/blob.bin': 'y'.repeat(4096) });
    await repo.commit('large file');
    await repo.push();
    const { outcome, state } = await runFetchJob(
      'toolarge',
      server.url('toolarge'),
      source({ limits: { maxFileBytes: 1024 } }),
    );
    expect(outcome).toBe('dead-letter');
    expect(state?.error?.code).toBe('LimitExceeded');
    expect(state?.error?.message).toContain('data/blob.bin');
  });

  it.each(['status500', 'status403', 'html', 'garbage', 'sideband'])(
    'a %s answer is reported by status code or kind only',
    async (repo) => {
      lines.length = 0;
      const sourceKey = `hostile-${repo}`;
      const { outcome, state } = await runFetchJob(sourceKey, host.url(repo));
      expect(outcome === 'retry' || outcome === 'dead-letter').toBe(true);
      expect(state?.error?.code).toMatch(/^Git/);
      const thrown = await failure(deps.git.fetch({ url: host.url(repo), ref: { branch: 'main' } }));
      const everything = JSON.stringify({
        state,
        lines,
        message: thrown.message,
        cause: String(thrown.cause),
        causeMessage: (thrown.cause as Error | undefined)?.message,
        data: (thrown.cause as { data?: unknown } | undefined)?.data,
      });
      expect(everything).not.toContain(MARKER);
    },
  );
});

describe('symlinks are judged as chains', () => {
  const tree = (links: Record<string, string>) => new Map(Object.entries(links));

  it.each([
    ['a plain link inside', { l: 'x.yaml' }, 'l', 'x.yaml'],
    ['a link to its parent directory', { 'a/l': '..' }, 'a/l', ''],
    ['a chain that stays inside', { 'a/l': '../b', b: 'c/d', 'c/d': 'e' }, 'a/l', 'c/e'],
    ['a path through a link to a sibling', { 'a/b': '../c' }, 'a/b/../x', 'x'],
  ])('%s resolves inside', (_name, links, path, resolved) => {
    expect(resolveInTree(path, tree(links))).toEqual({ inside: true, path: resolved });
  });

  it.each([
    ['a/b -> .. then c -> a/b/..', { 'a/b': '..', c: 'a/b/..' }, 'c', 'escapes'],
    ['a link into a link that climbs', { 'a/up': '../..', l: 'a/up/etc' }, 'l', 'escapes'],
    ['a two-link loop', { x: 'y', y: 'x' }, 'x', 'loop'],
    ['a self loop', { x: 'x' }, 'x', 'loop'],
    ['an absolute target at the end of a chain', { l: 'm', m: '/etc' }, 'l', 'absolute'],
  ])('%s is refused', (_name, links, path, reason) => {
    expect(resolveInTree(path, tree(links))).toEqual({ inside: false, reason });
  });

  it('an overlong chain is refused even without a loop', () => {
    const links = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`l${i}`, `l${i + 1}`]));
    expect(resolveInTree('l0', tree(links))).toEqual({ inside: false, reason: 'loop' });
  });

  it('a fetched tree whose symlinks climb out together is refused, one that stays inside is kept', async () => {
    const repo = await createFixtureRepo(join(root, 'served'), 'links');
    await repo.write({ 'a/x.yaml': 'kind: ConfigMap\n' });
    await repo.symlink('a/b', '..');
    await repo.symlink('inside', 'a/b/a/x.yaml');
    await repo.commit('links inside');
    await repo.push();
    const snap = await source().fetch({ url: server.url('links'), ref: { branch: 'main' } });
    expect(await readFile(join(snap.dir, 'inside'), 'utf8')).toBe('kind: ConfigMap\n');

    await repo.symlink('c', 'a/b/..');
    await repo.commit('chain out');
    await repo.push();
    const err = await failure(source().fetch({ url: server.url('links'), ref: { branch: 'main' } }));
    expect(err.code).toBe('PathEscapesRoot');
    expect(err.file).toBe('c');

    await repo.write({ c: null });
    await repo.symlink('loop1', 'loop2');
    await repo.symlink('loop2', 'loop1');
    await repo.commit('loop');
    await repo.push();
    expect((await failure(source().fetch({ url: server.url('links'), ref: { branch: 'main' } }))).code).toBe(
      'PathEscapesRoot',
    );
  });

  it('a packed snapshot whose symlinks climb out together is not unpacked', async () => {
    const dir = join(root, 'hostile-snapshot');
    await mkdir(join(dir, 'a'), { recursive: true });
    await symlink('..', join(dir, 'a/b'));
    await symlink('a/b/..', join(dir, 'c'));
    const bundle = await packSnapshot(dir);
    const target = join(root, 'unpacked-hostile');
    let err: unknown;
    await unpackSnapshot(bundle, target).catch((e: unknown) => {
      err = e;
    });
    expect((err as SluiceError).code).toBe('PathEscapesRoot');
    await expect(readlink(join(target, 'c'))).rejects.toThrow();
  });
});

describe('snapshots are bounded', () => {
  let big: FixtureRepo;

  beforeAll(async () => {
    big = await createFixtureRepo(join(root, 'served'), 'big');
    await big.write({
      'small.yaml': 'a: 1\n',
      'apps/blob.bin': 'x'.repeat(4096),
      // Compresses to almost nothing: only the inflated size tells.
      'apps/zeros.bin': '\0'.repeat(8 * 1024 * 1024),
    });
    await big.commit('big files');
    await big.push();
  });

  it('a file over the per-file limit is a permanent error naming the file and the limit', async () => {
    const err = await failure(
      source({ limits: { maxFileBytes: 1024 * 1024 } }).fetch({
        url: server.url('big'),
        ref: { branch: 'main' },
      }),
    );
    expect(err.code).toBe('LimitExceeded');
    expect(err.retryable).toBe(false);
    expect(err.file).toBe('apps/zeros.bin');
    expect(err.message).toContain('1 MiB');
  });

  it('a snapshot over the total or the file-count limit is a permanent error', async () => {
    const total = await failure(
      source({ limits: { maxTotalBytes: 10_000 } }).fetch({
        url: server.url('big'),
        ref: { branch: 'main' },
      }),
    );
    expect([total.code, total.retryable]).toEqual(['LimitExceeded', false]);
    const count = await failure(
      source({ limits: { maxFiles: 2 } }).fetch({ url: server.url('big'), ref: { branch: 'main' } }),
    );
    expect([count.code, count.retryable]).toEqual(['LimitExceeded', false]);
    expect(count.message).toContain('limit of 2');
  });

  it('the defaults let an ordinary repository through, and ignored files do not count', async () => {
    const snap = await source({ limits: { maxFileBytes: 1024 * 1024 } }).fetch({
      url: server.url('big'),
      ref: { branch: 'main' },
      ignore: '*.bin\n',
    });
    expect(snap.files).toBe(1);
    expect((await source().fetch({ url: server.url('big'), ref: { branch: 'main' } })).files).toBe(3);
  });

  it('a snapshot too big to pack is a permanent error, and what fits round-trips', async () => {
    const dir = join(root, 'pack-me');
    await mkdir(join(dir, 'bin'), { recursive: true });
    await writeFile(join(dir, 'bin/tool'), 'run', { mode: 0o755 });
    await writeFile(join(dir, 'data.bin'), Buffer.alloc(5000, 1));
    await symlink('data.bin', join(dir, 'link'));
    const err = (await packSnapshot(dir, { maxBytes: 4096 }).catch((e: unknown) => e)) as SluiceError;
    expect([err.code, err.retryable]).toEqual(['LimitExceeded', false]);
    expect(err.message).toContain('4 KiB');
    const out = join(root, 'pack-me-out');
    await unpackSnapshot(await packSnapshot(dir), out);
    expect((await readFile(join(out, 'data.bin'))).equals(Buffer.alloc(5000, 1))).toBe(true);
    expect(await readlink(join(out, 'link'))).toBe('data.bin');
    expect(await readFile(join(out, 'bin/tool'), 'utf8')).toBe('run');
  });
});

describe('source URLs are checked against the address policy', () => {
  const cloud: SourceAddressPolicy = {
    publicOnly: true,
    allowed: [],
    allowSetting: 'SLUICE_ALLOWED_SOURCE_HOSTS',
  };
  const embedded: SourceAddressPolicy = {
    publicOnly: false,
    allowed: [],
    allowSetting: 'allowedSourceHosts',
  };
  /** A resolver with fixed answers: what a hostile or rebinding DNS server would say. */
  const dns = (answers: Record<string, string[]>): HostResolver => ({
    resolve: async (host) => answers[host] ?? [],
  });

  it.each<[string, AddressClass]>([
    ['127.0.0.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['127.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['0xa9fea9fe', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['169.254.170.2', 'metadata'], // ECS task metadata and credentials
    ['169.254.170.23', 'metadata'], // EKS Pod Identity agent
    ['fd00:ec2::23', 'metadata'], // EKS Pod Identity agent over IPv6
    ['fd00:ec2:0:0:0:0:0:23', 'metadata'],
    ['::ffff:169.254.170.23', 'metadata'],
    ['0xa9feaa17', 'metadata'],
    ['169.254.170.24', 'link-local'],
    ['fd00:ec2::24', 'private'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['::ffff:8.8.8.8', 'public'],
  ])('%s is %s', (text, cls) => {
    expect(classifyIp(parseIp(text) as NonNullable<ReturnType<typeof parseIp>>)).toBe(cls);
  });

  it.each([
    'http://127.0.0.1:PORT/fleet.git',
    'http://2130706433:PORT/fleet.git',
    'http://0x7f.1:PORT/fleet.git',
    'http://0177.0.0.1:PORT/fleet.git',
    'http://[::ffff:127.0.0.1]:PORT/fleet.git',
    'http://localhost:PORT/fleet.git',
  ])('embedded: %s (this machine, not allow-listed) is refused before any request', async (spelling) => {
    const url = spelling.replace('PORT', String(server.port));
    const before = server.requests.length;
    const err = await failure(source({ addressPolicy: embedded }).fetch({ url, ref: { branch: 'main' } }));
    expect([err.code, err.retryable]).toEqual(['SourceAddressRefused', false]);
    expect(err.message).toContain('allowedSourceHosts');
    expect(server.requests.length).toBe(before);
  });

  it('embedded: the fleet origin and the configured origins are allowed, another port is not', async () => {
    const policy = embeddedSourcePolicy(server.url('fleet'));
    const snap = await source({ addressPolicy: policy }).fetch({
      url: server.url('tenant'),
      ref: { branch: 'main' },
    });
    expect(snap.commit).toBe(await tenant.head());
    const other = await standIn(hostile);
    try {
      const err = await failure(source({ addressPolicy: policy }).fetch({ url: other.url('status500') }));
      expect(err.code).toBe('SourceAddressRefused');
      expect(other.seen).toEqual([]);
      const allowed = embeddedSourcePolicy(server.url('fleet'), [other.origin]);
      const reached = await failure(
        source({ addressPolicy: allowed }).fetch({ url: other.url('status500') }),
      );
      expect(reached.code).toBe('GitFetchFailed');
    } finally {
      await other.close();
    }
  });

  it('cloud: a host name is judged by every address it resolves to, and connected only to those', async () => {
    const resolver = dns({
      'git.example.test': ['93.184.216.34', '10.0.0.7'],
      'meta.example.test': ['169.254.169.254'],
      'private.example.test': ['127.0.0.1'],
    });
    for (const host of ['git.example.test', 'meta.example.test', 'private.example.test']) {
      const err = await failure(
        source({ addressPolicy: cloud, resolver }).fetch({ url: `https://${host}/org/repo.git` }),
      );
      expect(err.code).toBe('SourceAddressRefused');
      expect(err.message).toContain('SLUICE_ALLOWED_SOURCE_HOSTS');
    }
    // Allow-listed by name: the fetch goes to the address the resolver gave (no real DNS knows this name).
    const allowed = { ...cloud, allowed: ['private.example.test'] };
    const url = `http://private.example.test:${server.port}/fleet.git`;
    const snap = await source({ addressPolicy: allowed, resolver }).fetch({ url, ref: { branch: 'main' } });
    expect(snap.commit).toBe(await fleet.head());
    // Allow-listed by CIDR.
    const byRange = { ...cloud, allowed: ['127.0.0.0/8'] };
    expect(
      (await source({ addressPolicy: byRange, resolver }).fetch({ url, ref: { branch: 'main' } })).commit,
    ).toBe(await fleet.head());
    // A name never vouches for a metadata address.
    const meta = { ...cloud, allowed: ['meta.example.test'] };
    expect(
      (
        await failure(
          source({ addressPolicy: meta, resolver }).fetch({ url: 'http://meta.example.test/x.git' }),
        )
      ).code,
    ).toBe('SourceAddressRefused');
  });

  it.each<[string, string[]]>([
    ['http://169.254.170.23/v1/credentials', ['169.254.0.0/16']],
    ['http://169.254.170.23/v1/credentials', ['0.0.0.0/0', 'http://169.254.170.23']],
    ['http://[fd00:ec2::23]/v1/credentials', ['fd00::/8', 'http://[fd00:ec2::23]']],
    ['http://169.254.170.2/v2/credentials', ['169.254.170.2']],
    ['http://pod-identity.example.test/x.git', ['pod-identity.example.test', '169.254.0.0/16']],
  ])('no allow-list entry opens a metadata endpoint: %s with %j is refused', async (url, allowed) => {
    const resolver = dns({ 'pod-identity.example.test': ['fd00:ec2::23'] });
    for (const base of [cloud, embedded]) {
      const err = await failure(source({ addressPolicy: { ...base, allowed }, resolver }).fetch({ url }));
      expect([err.code, err.retryable]).toEqual(['SourceAddressRefused', false]);
      expect(err.message).toContain('metadata address');
    }
  });

  it('every redirect hop is checked: an allowed server cannot bounce the fetch to a refused address', async () => {
    const inner = await standIn(hostile);
    const targets = ['http://169.254.169.254/latest/meta-data/', `${inner.origin}/status500.git/info/refs`];
    let next = 0;
    const bouncer = await standIn((_req, res) => {
      res.writeHead(302, { location: targets[next % targets.length] }).end();
    });
    try {
      const policy = { ...embedded, allowed: [bouncer.origin] };
      for (next = 0; next < targets.length; next++) {
        const err = await failure(source({ addressPolicy: policy }).fetch({ url: bouncer.url('repo') }));
        expect(err.code).toBe('SourceAddressRefused');
      }
      expect(inner.seen).toEqual([]);
    } finally {
      await bouncer.close();
      await inner.close();
    }
  });

  it('a redirect loop ends after a few hops with a permanent error', async () => {
    const loop = await standIn((req, res) => {
      res.writeHead(301, { location: `${req.url}x` }).end();
    });
    try {
      const err = await failure(
        source({ addressPolicy: { ...embedded, allowed: [loop.origin] } }).fetch({ url: loop.url('repo') }),
      );
      expect([err.code, err.retryable]).toEqual(['GitFetchFailed', false]);
      expect(loop.seen.length).toBeLessThanOrEqual(6);
    } finally {
      await loop.close();
    }
  });

  it('cloud settings: restriction on by default, the allow-list validated', () => {
    const env = {
      AWS_REGION: 'us-east-1',
      SLUICE_BUCKET: 'b',
      SLUICE_CLUSTERS: 'dev',
      SLUICE_SIGNING_KEY_ARN: 'arn:aws:kms:us-east-1:123456789012:key/abc',
      SLUICE_DATA_KEY_ARN: 'arn:aws:kms:us-east-1:123456789012:key/data',
      SLUICE_FLEET_URL: 'https://github.com/org/fleet',
      SLUICE_WEBHOOK_SECRET: 's',
    };
    const config = loadCloudConfig(env);
    expect(config.restrictSourceAddresses).toBe(true);
    expect(
      loadCloudConfig({ ...env, SLUICE_ALLOWED_SOURCE_HOSTS: 'git.corp.example, 10.20.0.0/16' })
        .allowedSourceHosts,
    ).toEqual(['git.corp.example', '10.20.0.0/16']);
    let err: unknown;
    try {
      loadCloudConfig({ ...env, SLUICE_ALLOWED_SOURCE_HOSTS: '10.0.0.0/99' });
    } catch (e) {
      err = e;
    }
    expect((err as SluiceError).code).toBe('ConfigInvalid');
  });
});

describe('credentials stay with their origin, on every hop', () => {
  it('a redirect to another origin drops the credentials; a same-origin redirect keeps them', async () => {
    const elsewhere = await standIn(hostile);
    const home = await standIn((req, res) => {
      if ((req.url ?? '').startsWith('/moved.git/')) {
        res
          .writeHead(307, { location: `${elsewhere.origin}/status500.git${(req.url ?? '').slice(10)}` })
          .end();
      } else if ((req.url ?? '').startsWith('/renamed.git/')) {
        res.writeHead(307, { location: (req.url ?? '').replace('/renamed.git/', '/final.git/') }).end();
      } else {
        res.writeHead(500).end();
      }
    });
    try {
      const policy = {
        publicOnly: false,
        allowed: [home.origin, elsewhere.origin],
        allowSetting: 'allowedSourceHosts',
      };
      const credentials = { username: 'flux', password: 'origin-only-pw' };
      await failure(source({ addressPolicy: policy }).fetch({ url: home.url('moved'), credentials }));
      expect(home.seen[0]?.authorization).toMatch(/^Basic /);
      expect(elsewhere.seen.length).toBeGreaterThan(0);
      expect(elsewhere.seen.map((r) => r.authorization)).toEqual(elsewhere.seen.map(() => undefined));

      await failure(source({ addressPolicy: policy }).fetch({ url: home.url('renamed'), credentials }));
      const final = home.seen.filter((r) => r.path.startsWith('/final.git/'));
      expect(final.length).toBeGreaterThan(0);
      expect(final.every((r) => r.authorization?.startsWith('Basic '))).toBe(true);
    } finally {
      await home.close();
      await elsewhere.close();
    }
  });

  it('a repository that moved to another allowed origin is still fetched, POSTs included', async () => {
    const moved = await standIn((req, res) => {
      res.writeHead(307, { location: `${server.origin}${req.url ?? ''}` }).end();
    });
    try {
      const policy = {
        publicOnly: false,
        allowed: [moved.origin, server.origin],
        allowSetting: 'allowedSourceHosts',
      };
      const snap = await source({ addressPolicy: policy }).fetch({
        url: moved.url('fleet'),
        ref: { branch: 'main' },
      });
      expect(snap.commit).toBe(await fleet.head());
      expect(moved.seen.map((r) => r.method)).toContain('POST');
    } finally {
      await moved.close();
    }
  });

  it.each([
    ['https://git.example.com/a.git', 'http://git.example.com/a.git/info/refs', 'SourceAddressRefused'],
    ['https://git.example.com/a.git', 'file:///etc/passwd', 'SourceAddressRefused'],
  ])('a redirect from %s to %s is refused', (from, to, code) => {
    const start = new URL(from);
    let err: unknown;
    try {
      nextHop(start, start, 'GET', 302, to, 0);
    } catch (e) {
      err = e;
    }
    expect((err as SluiceError).code).toBe(code);
  });

  it.each(['http://127.attacker.invalid/x.git', 'http://localhost.attacker.invalid/x.git'])(
    'a host name that only looks local (%s) gets no credentials over plain HTTP',
    async (url) => {
      const anywhere = { publicOnly: false, allowed: ['attacker.invalid'], allowSetting: 'x' };
      const err = await failure(
        source({ addressPolicy: anywhere, resolver: { resolve: async () => ['203.0.113.9'] } }).fetch({
          url,
          credentials: { bearerToken: 'plain-http-token' },
        }),
      );
      expect(err.code).toBe('GitAuthFailed');
    },
  );

  it('a redirect never carries credentials it names itself, and leaving the origin is reported', () => {
    const start = new URL('https://git.example.com/a.git');
    const hop = nextHop(start, start, 'GET', 302, 'https://user:pw@mirror.example.com/a.git', 0);
    expect(hop.url.toString()).toBe('https://mirror.example.com/a.git');
    expect(hop.sameOrigin).toBe(false);
    expect(nextHop(start, start, 'GET', 301, '/b.git', 0).sameOrigin).toBe(true);
  });
});

describe('a slow source cannot hold the fetch worker', () => {
  it('a server that stops answering, or trickles forever, ends the fetch with a retryable error', async () => {
    const silent = await standIn(() => {
      // never answers
    });
    const trickle = await standIn((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement' });
      const timer = setInterval(() => res.write('0'), 20);
      res.on('close', () => clearInterval(timer));
    });
    try {
      const policy = { publicOnly: false, allowed: [silent.origin, trickle.origin], allowSetting: 'x' };
      const idle = await failure(
        source({ addressPolicy: policy, idleTimeoutMs: 200 }).fetch({ url: silent.url('r') }),
      );
      expect([idle.code, idle.retryable]).toEqual(['GitFetchFailed', true]);
      const slow = await failure(
        source({ addressPolicy: policy, fetchTimeoutMs: 300 }).fetch({ url: trickle.url('r') }),
      );
      expect([slow.code, slow.retryable]).toEqual(['GitFetchFailed', true]);
      expect(slow.message).toContain('deadline');
    } finally {
      await silent.close();
      await trickle.close();
    }
  });
});
