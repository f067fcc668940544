// Contract: the test Git host (git-http-server.ts) and fixture builder (git-fixture-repo.ts) behave like a real
// smart-HTTP Git server for native git and isomorphic-git: clone, fetch, auth, gzip/chunked bodies, shutdown.

import * as fs from 'node:fs';
import { mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as isogit from 'isomorphic-git';
import isoHttp from 'isomorphic-git/http/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtureRepo, type FixtureRepo, isolatedGitEnv, runGit } from '../support/git-fixture-repo.ts';
import { type GitHttpServer, startGitHttpServer } from '../support/git-http-server.ts';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTP request; `body` as an array is sent chunked (no Content-Length). */
function httpRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: Buffer | Buffer[] } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers = { ...opts.headers };
    if (Buffer.isBuffer(opts.body)) headers['Content-Length'] = String(opts.body.length);
    const req = request(url, { method: opts.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    if (Array.isArray(opts.body)) for (const chunk of opts.body) req.write(chunk);
    else if (opts.body) req.write(opts.body);
    req.end();
  });
}

function pkt(line: string): string {
  return (Buffer.byteLength(line) + 4).toString(16).padStart(4, '0') + line;
}

/** Protocol v2 `ls-refs` request body. */
const lsRefsBody = Buffer.from(`${pkt('command=ls-refs\n')}0001${pkt('peel\n')}0000`);
const uploadPackHeaders = {
  'Content-Type': 'application/x-git-upload-pack-request',
  Accept: 'application/x-git-upload-pack-result',
  'Git-Protocol': 'version=2',
};

const tempDirs: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `sluice-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** Native git in `cwd` with no user/system config and no credential prompts. */
function git(cwd: string, ...args: string[]): Promise<string> {
  return runGit(cwd, args, isolatedGitEnv());
}

let root: string;
let repo: FixtureRepo;
let server: GitHttpServer;
let firstSha: string;

beforeAll(async () => {
  root = await tempDir('githost');
  repo = await createFixtureRepo(root, 'app');
  await repo.write({ 'README.md': '# app\n', 'deploy/kustomization.yaml': 'resources: []\n' });
  await repo.symlink('current', 'deploy');
  firstSha = await repo.commit('initial');
  await repo.tag('v1.0.0', { annotated: true });
  await repo.push();
  server = await startGitHttpServer({ root });
});

afterAll(async () => {
  await server?.close();
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('git http server', () => {
  it('listens on 127.0.0.1 only and serves the smart-HTTP ref advertisement', async () => {
    expect(new URL(server.origin).hostname).toBe('127.0.0.1');
    expect(server.url('app')).toBe(`${server.origin}/app.git`);
    expect(server.url('app.git')).toBe(`${server.origin}/app.git`);
    const res = await httpRequest(`${server.url('app')}/info/refs?service=git-upload-pack`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-git-upload-pack-advertisement');
    expect(res.body.toString()).toContain(`${firstSha} refs/heads/main`);
    expect(server.requests.at(-1)).toEqual({
      method: 'GET',
      path: '/app.git/info/refs?service=git-upload-pack',
    });
    const missing = await httpRequest(`${server.url('nope')}/info/refs?service=git-upload-pack`);
    expect(missing.status).toBe(404);
  });

  it('is cloned by native git (protocol v2 and v0), with symlinks and annotated tags intact', async () => {
    const dir = await tempDir('clone');
    for (const version of ['2', '0']) {
      const target = join(dir, `v${version}`);
      await git(dir, '-c', `protocol.version=${version}`, 'clone', '--quiet', server.url('app'), target);
      expect(await git(target, 'rev-parse', 'HEAD')).toBe(firstSha);
      expect(await git(target, 'cat-file', '-t', 'v1.0.0')).toBe('tag');
      expect(await readFile(join(target, 'deploy/kustomization.yaml'), 'utf8')).toBe('resources: []\n');
      expect(await readlink(join(target, 'current'))).toBe('deploy');
    }
  });

  it('serves new commits, force pushes and unreachable shas to a later fetch', async () => {
    const dir = await tempDir('fetch');
    await git(dir, 'clone', '--quiet', server.url('app'), 'c');
    const clone = join(dir, 'c');

    await repo.write({ 'deploy/app.yaml': 'kind: ConfigMap\n', 'README.md': null });
    const second = await repo.commit('add app');
    await repo.push();
    const before = server.requestCount;
    await git(clone, 'fetch', '--quiet', 'origin');
    expect(await git(clone, 'rev-parse', 'origin/main')).toBe(second);
    const fetchLog = server.requests.slice(before);
    expect(fetchLog[0]).toEqual({ method: 'GET', path: '/app.git/info/refs?service=git-upload-pack' });
    expect(fetchLog.filter((r) => r.method === 'POST' && r.path === '/app.git/git-upload-pack').length).toBe(
      fetchLog.length - 1,
    );

    // Rewrite history: main goes back to the first commit plus a different one.
    await repo.resetHard(firstSha);
    const rewritten = await repo.commit('rewritten');
    await repo.push({ force: true });
    await git(clone, 'fetch', '--quiet', 'origin');
    expect(await git(clone, 'rev-parse', 'origin/main')).toBe(rewritten);

    // `second` is now unreachable from any ref; allowAnySHA1InWant still lets a client fetch it by id (v0 and v2).
    for (const version of ['0', '2']) {
      const fresh = join(dir, `sha-v${version}`);
      await git(dir, 'init', '--quiet', fresh);
      await git(fresh, '-c', `protocol.version=${version}`, 'fetch', '--quiet', server.url('app'), second);
      expect(await git(fresh, 'rev-parse', 'FETCH_HEAD')).toBe(second);
    }
  });

  it('accepts gzip-encoded and chunked request bodies', async () => {
    const url = `${server.url('app')}/git-upload-pack`;
    const head = await repo.head();
    const plain = await httpRequest(url, { method: 'POST', headers: uploadPackHeaders, body: lsRefsBody });
    const gzipped = await httpRequest(url, {
      method: 'POST',
      headers: { ...uploadPackHeaders, 'Content-Encoding': 'gzip' },
      body: gzipSync(lsRefsBody),
    });
    const chunked = await httpRequest(url, {
      method: 'POST',
      headers: { ...uploadPackHeaders, 'Content-Encoding': 'gzip' },
      body: [gzipSync(lsRefsBody).subarray(0, 10), gzipSync(lsRefsBody).subarray(10)],
    });
    for (const res of [plain, gzipped, chunked]) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/x-git-upload-pack-result');
      expect(res.body.toString()).toContain(`${head} refs/heads/main`);
    }
    expect(gzipped.body.equals(plain.body)).toBe(true);
    expect(chunked.body.equals(plain.body)).toBe(true);
  });

  it('is cloned and fetched by isomorphic-git (protocol v1)', async () => {
    const dir = await tempDir('isogit');
    await isogit.clone({ fs, http: isoHttp, dir, url: server.url('app'), singleBranch: true, depth: 1 });
    expect(await isogit.resolveRef({ fs, dir, ref: 'HEAD' })).toBe(await repo.head());
    await repo.write({ 'deploy/extra.yaml': 'x: 1\n' });
    const next = await repo.commit('extra');
    await repo.push();
    await isogit.fetch({ fs, http: isoHttp, dir, url: server.url('app'), singleBranch: true, depth: 1 });
    expect(await isogit.resolveRef({ fs, dir, ref: 'refs/remotes/origin/main' })).toBe(next);
  });
});

describe('git http server auth', () => {
  it('requires Basic credentials', async () => {
    const authed = await startGitHttpServer({ root, auth: { username: 'user', password: 'pass' } });
    try {
      const dir = await tempDir('basic');
      const refs = `${authed.url('app')}/info/refs?service=git-upload-pack`;
      const denied = await httpRequest(refs);
      expect(denied.status).toBe(401);
      expect(denied.headers['www-authenticate']).toBe('Basic realm="sluice"');
      await expect(git(dir, 'clone', '--quiet', authed.url('app'), 'anon')).rejects.toThrow(
        /Authentication failed|could not read Username|401/,
      );
      const wrong = authed.url('app').replace('http://', 'http://user:nope@');
      await expect(git(dir, 'clone', '--quiet', wrong, 'wrong')).rejects.toThrow(
        /Authentication failed|could not read Username|401/,
      );

      const withCreds = authed.url('app').replace('http://', 'http://user:pass@');
      await git(dir, 'clone', '--quiet', withCreds, 'ok');
      expect(await git(join(dir, 'ok'), 'rev-parse', 'HEAD')).toBe(await repo.head());
      expect(authed.requests.some((r) => r.method === 'POST')).toBe(true);
    } finally {
      await authed.close();
    }
  });

  it('accepts a Bearer token sent via http.extraHeader', async () => {
    const authed = await startGitHttpServer({ root, auth: { bearerToken: 'x' } });
    try {
      const dir = await tempDir('bearer');
      await expect(git(dir, 'clone', '--quiet', authed.url('app'), 'anon')).rejects.toThrow(
        /Authentication failed|could not read Username|401/,
      );
      await expect(
        git(
          dir,
          '-c',
          'http.extraHeader=Authorization: Bearer wrong',
          'clone',
          '--quiet',
          authed.url('app'),
          'bad',
        ),
      ).rejects.toThrow(/Authentication failed|could not read Username|401/);
      await git(
        dir,
        '-c',
        'http.extraHeader=Authorization: Bearer x',
        'clone',
        '--quiet',
        authed.url('app'),
        'ok',
      );
      expect(await git(join(dir, 'ok'), 'rev-parse', 'HEAD')).toBe(await repo.head());
    } finally {
      await authed.close();
    }
  });
});

describe('git http server shutdown', () => {
  it('close() kills an in-flight CGI child and stops listening', async () => {
    const doomed = await startGitHttpServer({ root });
    // Announce a 1000-byte body but send 4 bytes: http-backend blocks reading stdin until killed.
    const req = request(`${doomed.url('app')}/git-upload-pack`, {
      method: 'POST',
      headers: { ...uploadPackHeaders, 'Content-Length': '1000' },
    });
    const outcome = new Promise<string>((resolve) => {
      req.on('error', (err) => resolve(err.message));
      req.on('response', (res) => resolve(`status ${res.statusCode}`));
    });
    req.write('0014');
    while (doomed.requestCount === 0) await new Promise((r) => setTimeout(r, 5));

    const started = Date.now();
    await doomed.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await outcome).toMatch(/socket hang up|ECONNRESET/);
    await doomed.close(); // idempotent
    await expect(httpRequest(`${doomed.url('app')}/info/refs?service=git-upload-pack`)).rejects.toThrow(
      /ECONNREFUSED/,
    );
    await expect(git(root, 'ls-remote', doomed.url('app'))).rejects.toThrow(
      /Failed to connect|Could not connect/,
    );
  });
});

describe('git fixture repo', () => {
  it('produces the same shas for the same sequence of operations', async () => {
    const dir = await tempDir('determinism');
    const build = async (name: string): Promise<string[]> => {
      const r = await createFixtureRepo(dir, name);
      await r.write({ 'a.txt': 'a\n', 'b/c.txt': 'c\n' });
      await r.symlink('link', 'a.txt');
      const one = await r.commit('one');
      const tag = await r.tag('v1', { annotated: true });
      await r.checkoutNewBranch('feature');
      await r.write({ 'a.txt': null });
      const two = await r.commit('two');
      await r.push();
      await r.checkout('main');
      await r.push();
      return [one, tag, two, await git(r.bareDir, 'rev-parse', 'refs/heads/feature')];
    };
    const [first, second] = [await build('x'), await build('y')];
    expect(first).toEqual(second);
    expect(first[3]).toBe(first[2]);
    expect(await git(dir, '--git-dir', join(dir, 'x.git'), 'cat-file', '-p', 'main^{tree}')).toMatch(
      /^120000 blob \w+\tlink$/m,
    );
  });
});
