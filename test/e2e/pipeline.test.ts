// A commit's whole journey on one machine: fleet repo (git http-backend) → webhook → fetch → render →
// signed artifact → puller → objects in the test Kubernetes API server; and what must not happen when a
// commit is bad, a job is delivered twice, or the control plane restarts mid-pipeline.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJob, type RenderJob } from '../../shared/core/pipeline/jobs.ts';
import type { FetchState, IndexEntry } from '../../shared/core/pipeline/records.ts';
import { stateKeys } from '../../shared/core/pipeline/state-keys.ts';
import { kustomizationTarget } from '../../shared/core/pipeline/target.ts';
import { getJson, putJson } from '../../shared/ports/object-store.ts';
import { fleetSourceKey } from '../../shared/usecases/register-fleet.ts';
import { renderJob } from '../../shared/usecases/render-job.ts';
import { type Harness, kustomizationStatus, startHarness } from '../support/pipeline-harness.ts';

let h: Harness;
const deployment = () => h.kube.object('apps/v1', 'Deployment', 'podinfo', 'podinfo');
const service = () => h.kube.object('v1', 'Service', 'podinfo', 'podinfo');
const env = (name: string) =>
  (
    (
      deployment()?.spec as {
        template: { spec: { containers: { env: { name: string; value: string }[] }[] } };
      }
    )?.template.spec.containers[0]?.env ?? []
  ).find((e) => e.name === name)?.value;

beforeAll(async () => {
  h = await startHarness();
  await h.start();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('embedded pipeline', () => {
  it('delivers the fleet: objects appear with owner labels and substituted variables', async () => {
    await h.waitFor('podinfo deployment', deployment);
    expect(h.kube.object('v1', 'Namespace', 'podinfo')).toBeDefined();
    expect((deployment()?.spec as { replicas?: number } | undefined)?.replicas).toBe(2); // from the cluster-vars ConfigMap
    expect(env('PODINFO_UI_MESSAGE')).toBe('Delivered by Sluice to dev');
    expect((deployment()?.metadata as { labels?: Record<string, string> } | undefined)?.labels).toMatchObject(
      {
        'kustomize.toolkit.fluxcd.io/name': 'apps',
        'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
        'app.kubernetes.io/part-of': 'podinfo',
      },
    );
    // Flux objects are inputs, never shipped to the cluster.
    expect(h.kube.objects({ kind: 'Kustomization' })).toEqual([]);
    const apps = await h.waitFor('apps applied', async () => {
      const k = kustomizationStatus(await h.status(), 'apps');
      return k?.apply?.ready ? k : undefined;
    });
    expect(apps.apply?.reason).toBe('ReconciliationSucceeded');
  });

  it('answers webhooks with a bad signature with 401 and enqueues nothing', async () => {
    const res = await h.webhook(undefined, 'wrong-secret');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toContain('webhook signature missing or invalid');
  });

  it('applies a new commit after the webhook and prunes an object the commit removed', async () => {
    const sha = await h.push(
      {
        'apps/base/podinfo/service.yaml': null,
        'apps/base/podinfo/kustomization.yaml': 'resources:\n- deployment.yaml\n',
      },
      'drop the service',
    );
    const res = await h.webhook();
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: true, sources: 1 });
    await h.waitFor('service pruned', () => service() === undefined);
    expect(deployment()).toBeDefined();
    const apps = await h.waitFor('apps at the new revision', async () => {
      const k = kustomizationStatus(await h.status(), 'apps');
      return k?.apply?.revision === `main@sha1:${sha}` && k.apply.ready ? k : undefined;
    });
    expect(apps.apply?.pruned).toBe(1);
  });

  const badCommits: { what: string; files: Record<string, string>; reason: string; message: string }[] = [
    {
      what: 'invalid YAML',
      files: {
        'apps/base/podinfo/deployment.yaml':
          'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n spec: [\n',
      },
      reason: 'BuildFailed',
      message:
        "Kustomization/flux-system/apps: kustomize build failed: accumulating resources: accumulation err='accumulating resources from '../base/podinfo': ",
    },
    {
      what: 'a kustomize error',
      files: { 'apps/dev/kustomization.yaml': 'resources:\n- ../base/missing\n' },
      reason: 'BuildFailed',
      message:
        "Kustomization/flux-system/apps: kustomize build failed: accumulating resources: accumulation err='accumulating resources from '../base/missing'",
    },
    {
      what: 'an unset variable in strict mode',
      files: {
        'apps/dev/owner.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owner\ndata:\n  team: ${team_owner}\n',
        'apps/dev/kustomization.yaml': 'resources:\n- ../base/podinfo\n- owner.yaml\n',
      },
      reason: 'BuildFailed',
      message: `Kustomization/flux-system/apps: var substitution failed for 'owner' (ConfigMap): envsubst error: variable substitution failed: variable not set (strict mode): "team_owner"`,
    },
  ];
  it.each(badCommits)(
    'keeps the last good state applied when a commit has $what, and says why in status',
    async (c) => {
      const before = JSON.stringify(deployment());
      const good = await h.repo.head();
      await h.push(c.files, `break it: ${c.what}`);
      await h.webhook();
      const name = 'apps';
      const failed = await h.waitFor(`render failure for ${c.what}`, async () => {
        const k = kustomizationStatus(await h.status(), name);
        return k?.render && !k.render.ready ? k : undefined;
      });
      expect(failed.render?.reason).toBe(c.reason);
      expect(failed.render?.message).toContain(c.message);
      expect(failed.artifact?.revision).toBe(`main@sha1:${good}`); // index still at the last good artifact
      expect(JSON.stringify(deployment())).toBe(before);
      // Put the file back so the next case starts from a good commit.
      await h.repo.resetHard(good);
      await h.repo.push({ force: true });
      await h.webhook();
      await h.waitFor(
        'recovered',
        async () => kustomizationStatus(await h.status(), name)?.render?.ready === true || undefined,
      );
    },
  );

  it('publishes exactly one artifact and a forward-only index under duplicate and late render jobs', async () => {
    const store = h.plane.deps.store;
    const ks = { namespace: 'flux-system', name: 'apps' };
    const head = `main@sha1:${await h.repo.head()}`;
    await h.waitFor(
      'every Kustomization settled on the head revision',
      async () =>
        (await h.status()).clusters[0]?.kustomizations
          .filter((k) => k.kind === 'Kustomization')
          .every((k) => k.render?.ready && k.artifact?.revision === head) || undefined,
    );
    await new Promise((r) => setTimeout(r, 1000));
    const index = (await getJson<IndexEntry>(
      store,
      stateKeys.index('dev', kustomizationTarget(ks)),
    )) as IndexEntry;
    const artifactsBefore = await store.list('artifacts/dev/');
    const job: RenderJob = { kind: 'render', cluster: 'dev', target: kustomizationTarget(ks) };
    for (let i = 0; i < 3; i++) {
      await h.plane.deps.queue.send(h.plane.deps.queues.render, {
        body: encodeJob(job),
        groupId: 'dev/flux-system/apps',
        deduplicationId: `dup-${i}`,
      });
    }
    await h.waitFor('render queue drained', async () => {
      const status = kustomizationStatus(await h.status(), 'apps');
      return status?.render && Date.parse(status.render.at) > Date.parse(index.publishedAt)
        ? status
        : undefined;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await store.list('artifacts/dev/')).toEqual(artifactsBefore);
    const after = (await getJson<IndexEntry>(
      store,
      stateKeys.index('dev', kustomizationTarget(ks)),
    )) as IndexEntry;
    expect(after.digest).toBe(index.digest);
    expect(after.generation).toEqual(index.generation);
    expect(after.sequence).toBe(index.sequence);

    // A render whose inputs are older than what the index holds (a late job from before a newer fetch)
    // must not move the index back.
    const fleetKey = fleetSourceKey({ url: h.git.url('fleet'), branch: 'main', intervalMs: 0 });
    const fetched = (await getJson<FetchState>(store, stateKeys.fetchState(fleetKey))) as FetchState;
    const ahead = fetched.generation + 5;
    const newer: IndexEntry = {
      ...after,
      generation: { ...after.generation, fleet: ahead, source: ahead },
      digest: 'sha256:newer',
    };
    await putJson(store, stateKeys.index('dev', kustomizationTarget(ks)), newer);
    const result = await renderJob(h.plane.deps, job, fleetKey);
    expect(result.outcome).toBe('stale');
    expect(await getJson<IndexEntry>(store, stateKeys.index('dev', kustomizationTarget(ks)))).toEqual(newer);
    await putJson(store, stateKeys.index('dev', kustomizationTarget(ks)), after);
  });

  it('loses nothing when the control plane restarts between webhook and render', async () => {
    const sha = await h.push(
      {
        'apps/base/podinfo/deployment.yaml': readFileSync(
          `${h.repo.workDir}/apps/base/podinfo/deployment.yaml`,
          'utf8',
        ).replace('Delivered by Sluice', 'Delivered after a restart by Sluice'),
      },
      'change while restarting',
    );
    // Stop the workers right after the webhook enqueued the fetch; the job waits in the persisted queue.
    const res = await h.webhook();
    expect(res.status).toBe(202);
    await h.plane.close();
    await h.start();
    await h
      .waitFor(
        'new message applied after restart',
        () => env('PODINFO_UI_MESSAGE') === 'Delivered after a restart by Sluice to dev' || undefined,
      )
      .catch(async (err) => {
        console.log(JSON.stringify(await h.status(), null, 1));
        throw err;
      });
    const apps = await h.waitFor('apps at the new revision', async () => {
      const k = kustomizationStatus(await h.status(), 'apps');
      return k?.apply?.revision === `main@sha1:${sha}` ? k : undefined;
    });
    expect(apps.apply?.ready).toBe(true);
  });
});
