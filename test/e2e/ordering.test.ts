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
      (await h.status()).clusters[0]?.kustomizations.every(
        (k) => k.render?.ready && k.render.revision === head && k.artifact?.revision !== undefined,
      ) || undefined,
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
