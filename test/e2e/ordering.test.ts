// The order a push travels through the pipeline: a target renders only once its parent has registered what
// the new revision declares, so each push publishes each target once, with the right values; and the
// expected waits (a source not fetched yet) are not logged as failures.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactPayload, Signed } from '../../shared/core/artifact/artifact.ts';
import type { Logger } from '../../shared/ports/logger.ts';
import { type Harness, kustomizationStatus, startHarness } from '../support/pipeline-harness.ts';

interface Line {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

/** The control plane's log, kept in memory. */
function capturingLogger(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  return {
    lines,
    info: (message, fields) => lines.push({ level: 'info', message, ...(fields && { fields }) }),
    warn: (message, fields) => lines.push({ level: 'warn', message, ...(fields && { fields }) }),
    error: (message, fields) => lines.push({ level: 'error', message, ...(fields && { fields }) }),
  };
}

const CLUSTER_VARS = (replicas: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-vars\n  namespace: flux-system\ndata:\n  cluster_name: dev\n  podinfo_replicas: "${replicas}"\n`;

let h: Harness;
const log = capturingLogger();
const replicas = () =>
  (h.kube.object('apps/v1', 'Deployment', 'podinfo', 'podinfo')?.spec as { replicas?: number } | undefined)
    ?.replicas;
const noisy = (from = 0) => log.lines.slice(from).filter((l) => l.level !== 'info');

/** Every Kustomization rendered, ready, at the head revision; then a moment for any late job to show. */
async function settled(): Promise<void> {
  const head = `main@sha1:${await h.repo.head()}`;
  await h.waitFor(
    'every Kustomization settled on the head revision',
    async () =>
      (await h.status()).clusters[0]?.kustomizations
        .filter((k) => k.kind === 'Kustomization')
        .every((k) => k.render?.ready && k.render.revision === head && k.artifact?.revision !== undefined) ||
      undefined,
  );
  await new Promise((r) => setTimeout(r, 1000));
}

/** The stored artifacts of `apps` in cluster dev, by store key. */
async function appsArtifacts(): Promise<Map<string, ArtifactPayload>> {
  const store = h.plane.deps.store;
  const found = new Map<string, ArtifactPayload>();
  for (const key of await store.list('artifacts/dev/')) {
    const body = await store.get(key);
    if (!body) continue;
    const { payload } = JSON.parse(body.toString('utf8')) as Signed<ArtifactPayload>;
    if (payload.kind === 'Artifact' && payload.target.name === 'apps') found.set(key, payload);
  }
  return found;
}

beforeAll(async () => {
  h = await startHarness({ log });
  await h.start();
  await h.waitFor('podinfo deployment', replicas);
  await settled();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('pipeline ordering', () => {
  it('logs no warning on a clean start: a source not fetched yet is a wait, not a failure', () => {
    expect(noisy()).toEqual([]);
  });

  it('publishes apps once, with the new value, after a push that changes its substituteFrom ConfigMap', async () => {
    expect(replicas()).toBe(2);
    const before = await appsArtifacts();
    const from = log.lines.length;
    await h.push({ 'clusters/dev/cluster-vars.yaml': CLUSTER_VARS('3') }, 'three replicas');
    expect((await h.webhook()).status).toBe(202);
    await h.waitFor('three replicas applied', () => replicas() === 3 || undefined);
    await settled();
    const added = [...(await appsArtifacts())].filter(([key]) => !before.has(key));
    expect(added).toHaveLength(1);
    const deployment = added[0]?.[1].objects.find((o) => o.kind === 'Deployment') as
      | { spec: { replicas: number } }
      | undefined;
    expect(deployment?.spec.replicas).toBe(3);
    expect(noisy(from)).toEqual([]);
  });

  it('dead-letters nothing when a commit fixes a bad path', async () => {
    const apps = `${h.repo.workDir}/clusters/dev/apps.yaml`;
    const good = readFileSync(apps, 'utf8');
    await h.push({ 'clusters/dev/apps.yaml': good.replace('./apps/dev', './apps/typo') }, 'a bad path');
    await h.webhook();
    await h.waitFor('apps fails on the bad path', async () => {
      const k = kustomizationStatus(await h.status(), 'apps');
      return k?.render && !k.render.ready ? k : undefined;
    });
    await new Promise((r) => setTimeout(r, 500));
    const from = log.lines.length;
    await h.push({ 'clusters/dev/apps.yaml': good }, 'fix the path');
    await h.webhook();
    await settled();
    expect(noisy(from)).toEqual([]);
  });
});

describe('a parent that does not render the new revision', () => {
  const ks = (name: string, path: string, extra = '') =>
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ${path}\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n${extra}`;
  const account = (note: string) =>
    `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: team-sa\n  namespace: flux-system\n  labels:\n    note: ${note}\n`;
  const note = () =>
    (
      h.kube.object('v1', 'ServiceAccount', 'team-sa', 'flux-system')?.metadata as {
        labels?: { note?: string };
      }
    )?.labels?.note;

  it('still has its children of the same source render it when it fails', async () => {
    const good = await h.repo.head();
    const message = 'Delivered past a broken parent by Sluice';
    const deployment = readFileSync(`${h.repo.workDir}/apps/base/podinfo/deployment.yaml`, 'utf8');
    await h.push(
      {
        'clusters/dev/broken.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: [\n',
        'apps/base/podinfo/deployment.yaml': deployment.replace('Delivered by Sluice', message),
      },
      'break the root, change apps',
    );
    await h.webhook();
    const env = () =>
      (
        h.kube.object('apps/v1', 'Deployment', 'podinfo', 'podinfo')?.spec as {
          template: { spec: { containers: { env?: { name: string; value: string }[] }[] } };
        }
      )?.template.spec.containers[0]?.env?.find((e) => e.name === 'PODINFO_UI_MESSAGE')?.value;
    await h.waitFor('apps at the new revision', () => env() === `${message} to dev` || undefined);
    expect(kustomizationStatus(await h.status(), 'flux-system')?.render?.ready).toBe(false);
    await h.repo.resetHard(good);
    await h.repo.push({ force: true });
    await h.webhook();
    await settled();
  });

  it('still has its children of the same source render it when it is suspended', async () => {
    await h.push(
      {
        'clusters/dev/tenants.yaml': ks('tenants', './tenants'),
        'tenants/team.yaml': ks('team', './team'),
        'team/sa.yaml': account('first'),
      },
      'a nested tenant',
    );
    await h.webhook();
    await h.waitFor('the tenant applied', () => note() === 'first' || undefined);
    await h.push(
      {
        'clusters/dev/tenants.yaml': ks('tenants', './tenants', '  suspend: true\n'),
        'team/sa.yaml': account('second'),
      },
      'suspend the parent, change the child',
    );
    await h.webhook();
    await h.waitFor('the child at the new revision', () => note() === 'second' || undefined);
    // The suspended parent itself is left alone by the puller, which says so.
    await h.waitFor(
      'the parent reported Suspended',
      async () => kustomizationStatus(await h.status(), 'tenants')?.apply?.suspended || undefined,
    );
    expect(kustomizationStatus(await h.status(), 'tenants')?.apply).toMatchObject({
      reason: 'Suspended',
      ready: true,
    });
  });
});
