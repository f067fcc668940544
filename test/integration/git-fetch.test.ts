// IsomorphicGitSource against the real `git http-backend`: refs, incremental fetches, auth, ignore rules,
// force pushes and hostile trees.
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsomorphicGitSource } from '../../shared/adapters/git/isomorphic-git-source.ts';
import { SluiceError } from '../../shared/core/errors.ts';
import { createFixtureRepo, type FixtureRepo } from '../support/git-fixture-repo.ts';
import { type GitHttpServer, startGitHttpServer } from '../support/git-http-server.ts';

let root: string;
let server: GitHttpServer;
let authServer: GitHttpServer;
let repo: FixtureRepo;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-fetch-'));
  repo = await createFixtureRepo(join(root, 'served'), 'fleet');
  await repo.write({ 'apps/a.yaml': 'kind: ConfigMap\n', 'README.md': 'hello\n', 'logo.png': 'x' });
  await repo.commit('first');
  await repo.git('branch', '-M', 'master');
  await repo.push();
  await repo.git('--git-dir', repo.bareDir, 'symbolic-ref', 'HEAD', 'refs/heads/master');
  server = await startGitHttpServer({ root: join(root, 'served') });
  authServer = await startGitHttpServer({
    root: join(root, 'served'),
    auth: { username: 'flux', password: 's3cret-pw' },
  });
});

afterAll(async () => {
  await server?.close();
  await authServer?.close();
  await rm(root, { recursive: true, force: true });
});

function source(): IsomorphicGitSource {
  return new IsomorphicGitSource({
    cacheDir: join(root, `cache-${Math.random().toString(36).slice(2)}`),
    // Loopback Git servers are refused unless named, as in embedded mode.
    addressPolicy: {
      publicOnly: false,
      allowed: [server.origin, authServer.origin],
      allowSetting: 'allowedSourceHosts',
    },
  });
}

async function errorOf(promise: Promise<unknown>): Promise<SluiceError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SluiceError);
  return err as SluiceError;
}

describe('IsomorphicGitSource', () => {
  it('fetches the default branch (master, as Flux) and materialises it without Flux-excluded files', async () => {
    const snap = await source().fetch({ url: server.url('fleet') });
    const head = await repo.head();
    expect(snap.revision).toBe(`master@sha1:${head}`);
    expect(snap.commit).toBe(head);
    expect(snap.changed).toBe(true);
    expect((await readdir(snap.dir)).sort()).toEqual(['README.md', 'apps']);
    expect(await readFile(join(snap.dir, 'apps/a.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
  });

  it('downloads nothing new when the ref has not moved, and only the new commit when it has', async () => {
    const git = source();
    const first = await git.fetch({ url: server.url('fleet'), ref: { branch: 'master' } });
    const before = server.requests.length;
    const same = await git.fetch({
      url: server.url('fleet'),
      ref: { branch: 'master' },
      lastCommit: first.commit,
    });
    expect(same.changed).toBe(false);
    expect(server.requests.slice(before).map((r) => r.method)).toEqual(['GET']); // one ref listing, no pack

    await repo.write({ 'apps/b.yaml': 'kind: Secret\n' });
    const second = await repo.commit('second');
    await repo.push();
    const mark = server.requests.length;
    const next = await git.fetch({
      url: server.url('fleet'),
      ref: { branch: 'master' },
      lastCommit: first.commit,
    });
    expect(next.commit).toBe(second);
    expect(next.changed).toBe(true);
    expect(await readFile(join(next.dir, 'apps/b.yaml'), 'utf8')).toBe('kind: Secret\n');
    const uploadPacks = server.requests
      .slice(mark)
      .filter((r) => r.path.includes('git-upload-pack') && r.method === 'POST');
    expect(uploadPacks.length).toBe(1); // one negotiation for the new commit
  });

  it('resolves tags, annotated tags and the highest semver tag', async () => {
    await repo.write({ 'version.txt': '1.0.0' });
    const v1 = await repo.commit('v1');
    await repo.tag('v1.0.0');
    await repo.write({ 'version.txt': '1.2.0' });
    const v12 = await repo.commit('v1.2');
    await repo.tag('v1.2.0', { annotated: true });
    await repo.write({ 'version.txt': '2.0.0' });
    await repo.commit('v2');
    await repo.tag('v2.0.0');
    await repo.tag('v1.3.0-rc.1');
    await repo.push();
    const git = source();
    expect((await git.fetch({ url: server.url('fleet'), ref: { tag: 'v1.0.0' } })).revision).toBe(
      `v1.0.0@sha1:${v1}`,
    );
    const annotated = await git.fetch({ url: server.url('fleet'), ref: { tag: 'v1.2.0' } });
    expect(annotated.commit).toBe(v12);
    expect(await readFile(join(annotated.dir, 'version.txt'), 'utf8')).toBe('1.2.0');
    const ranged = await git.fetch({ url: server.url('fleet'), ref: { semver: '>=1.0.0 <2.0.0' } });
    expect(ranged.revision).toBe(`v1.2.0@sha1:${v12}`);
    const err = await errorOf(git.fetch({ url: server.url('fleet'), ref: { semver: '>=5.0.0' } }));
    expect(err.code).toBe('GitRefNotFound');
    expect(err.message).toContain('no match found for semver: >=5.0.0');
  });

  it('fetches a commit by hash and names a missing branch clearly', async () => {
    const head = await repo.head();
    const snap = await source().fetch({ url: server.url('fleet'), ref: { commit: head } });
    expect(snap.revision).toBe(`sha1:${head}`);
    const err = await errorOf(source().fetch({ url: server.url('fleet'), ref: { branch: 'nope' } }));
    expect(err.code).toBe('GitRefNotFound');
    expect(err.message).toBe(
      `branch 'nope' not found in ${server.url('fleet')}; push the branch or fix spec.ref.branch`,
    );
  });

  it('follows a force-pushed branch to its rewritten history', async () => {
    const git = source();
    await repo.checkoutNewBranch('feature');
    await repo.write({ 'f.txt': 'one' });
    await repo.commit('feature one');
    await repo.push({ branch: 'feature' });
    const first = await git.fetch({ url: server.url('fleet'), ref: { branch: 'feature' } });
    await repo.resetHard('HEAD~1');
    await repo.write({ 'f.txt': 'rewritten' });
    const rewritten = await repo.commit('feature rewritten');
    await repo.push({ branch: 'feature', force: true });
    const second = await git.fetch({
      url: server.url('fleet'),
      ref: { branch: 'feature' },
      lastCommit: first.commit,
    });
    expect(second.commit).toBe(rewritten);
    expect(await readFile(join(second.dir, 'f.txt'), 'utf8')).toBe('rewritten');
    await repo.checkout('master');
  });

  it('requires credentials where the server does, and never puts them in errors', async () => {
    const refused = await errorOf(source().fetch({ url: authServer.url('fleet') }));
    expect(refused.code).toBe('GitAuthFailed');
    expect(refused.retryable).toBe(false);
    const wrong = await errorOf(
      source().fetch({
        url: authServer.url('fleet'),
        credentials: { username: 'flux', password: 'wrong-pw' },
      }),
    );
    expect(wrong.code).toBe('GitAuthFailed');
    expect(JSON.stringify({ m: wrong.message, c: String(wrong.cause) })).not.toContain('wrong-pw');
    const ok = await source().fetch({
      url: authServer.url('fleet'),
      credentials: { username: 'flux', password: 's3cret-pw' },
    });
    expect(ok.commit).toBe(await repo.head());
  });

  it('refuses credentials over plain HTTP to another host and conflicting auth options', async () => {
    const remote = await errorOf(
      source().fetch({ url: 'http://example.invalid/x.git', credentials: { bearerToken: 'tok' } }),
    );
    expect(remote.message).toBe(
      'credentials cannot be sent over plain HTTP to example.invalid; use an https:// URL; fix the Secret named in spec.secretRef',
    );
    const both = await errorOf(
      source().fetch({
        url: server.url('fleet'),
        credentials: { username: 'u', password: 'p', bearerToken: 'tok' },
      }),
    );
    expect(both.message).toContain('basic auth and bearer token cannot be set at the same time');
  });

  it('applies .sourceignore and spec.ignore, which replace the default exclusions', async () => {
    await repo.write({
      '.sourceignore': 'docs/\n',
      'docs/x.yaml': 'a: 1\n',
      'img.png': 'p',
      'sub/.sourceignore': '*.txt\n',
      'sub/n.txt': 't',
      'sub/k.yaml': 'k',
    });
    await repo.commit('ignores');
    await repo.push();
    const snap = await source().fetch({ url: server.url('fleet'), ignore: '/README.md\n' });
    const files = (await readdir(snap.dir, { recursive: true })).map(String).sort();
    expect(files).not.toContain('docs');
    expect(files).not.toContain('README.md');
    expect(files).not.toContain('sub/n.txt');
    expect(files).toContain('sub/k.yaml');
    expect(files).toContain('img.png'); // user patterns exist, so the default list (*.png) no longer applies
    expect(files).toContain('logo.png');
  });

  it('keeps symlinks inside the repository and rejects ones that escape it', async () => {
    await repo.symlink('apps/link.yaml', 'a.yaml');
    await repo.commit('inner link');
    await repo.push();
    const snap = await source().fetch({ url: server.url('fleet') });
    expect(await readlink(join(snap.dir, 'apps/link.yaml'))).toBe('a.yaml');

    await repo.symlink('apps/escape.yaml', '../../etc/passwd');
    await repo.commit('escaping link');
    await repo.push();
    const err = await errorOf(source().fetch({ url: server.url('fleet') }));
    expect(err.code).toBe('PathEscapesRoot');
    expect(err.message).toBe(
      'symlink apps/escape.yaml -> ../../etc/passwd points outside the repository; replace it with a path inside the repository',
    );
    await repo.write({ 'apps/escape.yaml': null });
    await repo.commit('remove escaping link');
    await repo.push();
  });
});
