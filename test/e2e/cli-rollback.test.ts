// `sluice rollback` as a user runs it against the embedded control plane and its puller: it lists what a
// Kustomization can go back to, puts an earlier artifact back (by the digest start `sluice status` shows),
// and `sluice status` and `sluice get artifact` say the current artifact is a rollback; the signed webhook
// serves where only the webhook secret is known (the cloud).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetOf } from '../../shared/core/artifact/artifact.ts';
import type { IndexEntry } from '../../shared/core/pipeline/records.ts';
import { stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { getJson } from '../../shared/ports/object-store.ts';
import { type Harness, ROLLBACK_SECRET, startHarness, WEBHOOK_SECRET } from '../support/pipeline-harness.ts';
import { runCli } from '../support/run-cli.ts';
import { webFleet } from '../support/web-fleet.ts';

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
  ]);
const FILES = webFleet(settings('v1'));

let h: Harness;
let v1: IndexEntry;
let v2: IndexEntry;
let env: NodeJS.ProcessEnv;

const live = () =>
  (h.kube.object('v1', 'ConfigMap', 'web-settings', 'default')?.data as Record<string, string> | undefined)
    ?.value;
const indexOf = async () =>
  (await getJson<IndexEntry>(
    h.plane.deps.store,
    stateKeys.index('dev', targetOf({ namespace: 'flux-system', name: 'web' })),
  )) as IndexEntry;
const sluice = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
  runCli(args, { cwd: h.root, env: { ...env, ...extra } });

beforeAll(async () => {
  h = await startHarness({ files: FILES });
  await h.start();
  env = {
    PATH: process.env.PATH,
    HOME: h.root,
    XDG_CONFIG_HOME: join(h.root, 'no-config'),
    SLUICE_API: h.plane.apiUrl,
    SLUICE_API_TOKEN: readFileSync(join(h.dataDir, 'api-token'), 'utf8').trim(),
  };
  await h.waitFor('v1 applied', () => (live() === 'v1' ? true : undefined), 60_000);
  v1 = await indexOf();
  await h.push({ 'web/cm.yaml': settings('v2') }, 'web: v2');
  await h.webhook();
  await h.waitFor('v2 applied', () => (live() === 'v2' ? true : undefined), 60_000);
  v2 = await indexOf();
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('sluice rollback', () => {
  it('without --to lists the artifacts the Kustomization can go back to, newest first', async () => {
    const run = await sluice(['rollback', 'dev/web']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^DIGEST +REVISION +CURRENT +NOTE$/);
    expect(lines[1]).toMatch(new RegExp(`^${v2.digest} +${v2.revision} +current$`));
    expect(lines[2]).toMatch(new RegExp(`^${v1.digest} +${v1.revision}$`));
    expect(lines.at(-1)).toBe('roll back with: sluice rollback dev/flux-system/web --to DIGEST');
  });

  it('--to puts that artifact back, and status and get artifact say it is a rollback', async () => {
    const short = (v1.digest as string).slice(0, 19);
    const run = await sluice(['rollback', 'dev/web', '--to', short, '--reason', 'v2 breaks login']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const rolled = await indexOf();
    expect(run.stdout).toBe(
      `► rollback of dev/flux-system/web to ${v1.revision} (${v1.digest}) queued\n` +
        `✔ dev/flux-system/web now publishes ${rolled.digest} (the content of ${v1.digest}, signed as its newest artifact); follow the apply with: sluice status\n`,
    );
    await h.waitFor('v1 applied again', () => (live() === 'v1' ? true : undefined));

    const status = await sluice(['status']);
    expect(status.stdout).toContain(
      `ROLLBACKS\n  flux-system/web: rolled back to ${v1.revision} (${short}) from ${(v2.digest as string).slice(0, 19)} at ${rolled.rollback?.at} by api (v2 breaks login); held until a render gives other content than ${(v2.digest as string).slice(0, 19)}\n`,
    );
    const artifact = await sluice(['get', 'artifact', 'dev/web']);
    expect(artifact.stdout.split('\n')[0]).toBe(
      `# a rollback: the content of ${v1.digest}, put back at ${rolled.rollback?.at} by api (v2 breaks login) in place of ${v2.digest}`,
    );
    expect(artifact.stdout).toContain('value: v1');
  }, 30_000);

  it('with only the rollback secret (the cloud) goes through the signed webhook', async () => {
    const run = await sluice(['rollback', 'dev/flux-system/web', '--to', v2.digest as string], {
      SLUICE_API_TOKEN: undefined,
      SLUICE_ROLLBACK_SECRET: ROLLBACK_SECRET,
    });
    expect(run.stdout).toContain(
      `► rollback of dev/flux-system/web to ${v2.digest} queued (checked when it runs: a refused one is dead-lettered with why)\n`,
    );
    // The status API on loopback needs no token: it still watches the index move.
    expect(run.stdout).toContain('✔ dev/flux-system/web now publishes sha256:');
    await h.waitFor('v2 applied again', () => (live() === 'v2' ? true : undefined));
    expect((await indexOf()).rollback?.by).toBe('webhook');
  }, 30_000);

  it('never signs a rollback with the webhook secret, and the control plane refuses one signed with it', async () => {
    const to = ['rollback', 'dev/flux-system/web', '--to', v1.digest as string];
    const none = await sluice(to, { SLUICE_API_TOKEN: undefined, SLUICE_WEBHOOK_SECRET: WEBHOOK_SECRET });
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('no rollback secret known');
    expect(none.stderr).toContain('SLUICE_ROLLBACK_SECRET');
    const wrong = await sluice(to, { SLUICE_API_TOKEN: undefined, SLUICE_ROLLBACK_SECRET: WEBHOOK_SECRET });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain(
      'a rollback must be signed with the rollback secret, not the webhook secret',
    );
    expect(live()).toBe('v2');
  }, 30_000);

  it('says what is wrong: no such artifact, a bad reference, no credentials', async () => {
    const unknown = await sluice(['rollback', 'dev/web', '--to', `sha256:${'0'.repeat(12)}`]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      `✗ no artifact sha256:000000000000 of Kustomization 'flux-system/web' is stored for cluster "dev"; list them with: sluice rollback dev/flux-system/web`,
    );
    expect((await sluice(['rollback'])).code).toBe(2);
    expect((await sluice(['rollback', 'dev/web', '--reason', 'why'])).code).toBe(2);
    const list = await sluice(['rollback', 'dev/web'], { SLUICE_API_TOKEN: undefined });
    expect(list.code).toBe(1);
    expect(list.stderr).toContain("listing artifacts needs the control plane's API token");
  });
});
