// Git fetch against the real `git http-backend` on 127.0.0.1, isomorphic-git vs native git in the same
// run: first fetch + materialise of a 2,000-file repository, then one new commit fetched incrementally.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IsomorphicGitSource } from '../shared/adapters/git/isomorphic-git-source.ts';
import { createFixtureRepo } from '../test/support/git-fixture-repo.ts';
import { startGitHttpServer } from '../test/support/git-http-server.ts';
import { median, round, run } from './measure.ts';

export async function gitFetch(fileCount = 2000, runs = 5): Promise<Record<string, number>> {
  const root = await mkdtemp(join(tmpdir(), 'sluice-bench-git-'));
  const repo = await createFixtureRepo(join(root, 'served'), 'fleet');
  const files: Record<string, string> = {};
  for (let i = 0; i < fileCount; i++) {
    files[`apps/team-${i % 40}/app-${i}/deploy.yaml`] =
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\nspec:\n  replicas: ${i % 5}\n`;
  }
  await repo.write(files);
  await repo.commit('2000 files');
  await repo.push();
  const server = await startGitHttpServer({ root: join(root, 'served') });
  const url = server.url('fleet');
  // The bench's own loopback server, allowed as embedded mode allows its fleet's origin.
  const addressPolicy = { publicOnly: false, allowed: [server.origin], allowSetting: 'allowedSourceHosts' };
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  try {
    let n = 0;
    const firstSluice = await median(runs, async () => {
      const git = new IsomorphicGitSource({ cacheDir: join(root, `first-${n++}`), addressPolicy });
      await git.fetch({ url, ref: { branch: 'main' } });
    });
    const firstNative = await median(runs, () =>
      run('git', ['clone', '--quiet', '--depth', '1', url, join(root, `clone-${n++}`)], { env }),
    );

    // Incremental: one new commit touching one file, fetched into an up-to-date cache / clone.
    const git = new IsomorphicGitSource({ cacheDir: join(root, 'incremental'), addressPolicy });
    let last = await git.fetch({ url, ref: { branch: 'main' } });
    const nativeDir = join(root, 'native-incremental');
    await run('git', ['clone', '--quiet', '--depth', '1', url, nativeDir], { env });
    const fetchTimes: number[] = [];
    const materializeTimes: number[] = [];
    const nativeTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      await repo.write({
        'apps/team-0/app-0/deploy.yaml': `kind: ConfigMap\nmetadata:\n  name: change-${i}\n`,
      });
      await repo.commit(`change ${i}`);
      await repo.push();
      const snap = await git.fetch({ url, ref: { branch: 'main' }, lastCommit: last.commit });
      fetchTimes.push(snap.timings.fetchMs);
      materializeTimes.push(snap.timings.materializeMs);
      last = snap;
      const start = performance.now();
      await run('git', ['fetch', '--quiet', '--depth', '1', 'origin', 'main'], { cwd: nativeDir, env });
      nativeTimes.push(performance.now() - start);
    }
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    return {
      first_fetch_ms: round(firstSluice),
      first_fetch_native_git_ms: round(firstNative),
      first_fetch_ratio_vs_git: round(firstSluice / firstNative, 3),
      incremental_fetch_ms: round(mid(fetchTimes)),
      incremental_fetch_native_git_ms: round(mid(nativeTimes)),
      incremental_fetch_ratio_vs_git: round(mid(fetchTimes) / mid(nativeTimes), 3),
      incremental_materialize_ms: round(mid(materializeTimes)),
    };
  } finally {
    await server.close();
    await rm(root, { recursive: true, force: true });
  }
}
