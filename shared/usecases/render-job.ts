// Use-case: render one Kustomization of one cluster from the latest state and publish it. Steps: load
// the record, make sure its source snapshot is local, render, register any Flux objects it declared,
// sign and store the artifact, move the index forward, nudge the cluster. A failure leaves the index, and
// so the cluster, at the last good artifact; the reason lands in the render status.
import type { ConfigData } from '../api/config-data.ts';
import { objectRef } from '../api/object-meta.ts';
import { sortForApply } from '../core/apply/apply-order.ts';
import {
  ARTIFACT_API,
  type ArtifactPayload,
  artifactKey,
  digestOf,
  type TombstonePayload,
  targetOf,
} from '../core/artifact/artifact.ts';
import { isOlder } from '../core/artifact/generation.ts';
import { nextSequence } from '../core/artifact/sequence.ts';
import { signArtifact } from '../core/artifact/sign-artifact.ts';
import { SluiceError } from '../core/errors.ts';
import { reasonForCode } from '../core/flux-reason.ts';
import { redactUrl } from '../core/git/select-ref.ts';
import { refuseCrossNamespaceRefs } from '../core/pipeline/cross-namespace-refs.ts';
import { type ClusterNudge, encodeJob, type FetchJob, type RenderJob } from '../core/pipeline/jobs.ts';
import type {
  FetchSpec,
  FetchState,
  IndexEntry,
  KustomizationRecord,
  RenderStatus,
} from '../core/pipeline/records.ts';
import { DEFAULT_RENDER_LIMITS, splitRenderedObjects } from '../core/pipeline/split-rendered-objects.ts';
import { stateKeys } from '../core/pipeline/state-keys.ts';
import { notEnforcedWarnings } from '../core/render/not-enforced.ts';
import { getJson, putJson } from '../ports/object-store.ts';
// Snapshot integrity: the stored snapshot is checked against its digest before it is unpacked.
import { loadSnapshot } from './load-snapshot.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { type ConfigRecord, registerChildren } from './register-children.ts';
import { renderKustomization } from './render-kustomization.ts';

export interface RenderJobResult {
  outcome: 'published' | 'unchanged' | 'stale' | 'withdrawn';
  digest?: string;
}

export async function renderJob(
  deps: PipelineDeps,
  job: RenderJob,
  fleetSourceKey: string,
): Promise<RenderJobResult> {
  const { cluster, kustomization: key } = job;
  const now = () => new Date(deps.clock.now()).toISOString();
  const record = await getJson<KustomizationRecord & { ancestors?: string[] }>(
    deps.store,
    stateKeys.kustomization(cluster, key),
  );
  const current = await getJson<IndexEntry>(deps.store, stateKeys.index(cluster, key));

  // Withdrawn by its parent: publish a signed tombstone so the puller prunes what it applied. The index
  // entry only points at it: an unsigned `deleted: true` makes no puller delete anything.
  if (!record) {
    // A tombstone written before removals were signed, or before they carried a sequence, is signed now.
    if (!current || (current.deleted && current.digest && current.sequence !== undefined))
      return { outcome: 'unchanged' };
    const fleet = await getJson<FetchState>(deps.store, stateKeys.fetchState(fleetSourceKey));
    // The generation may equal the removed artifact's (a tenant source withdrew it, the fleet did not
    // move); the sequence is what makes the removal newer than every record before it.
    const generation = { ...current.generation, fleet: fleet?.generation ?? current.generation.fleet };
    const sequence = nextSequence(current.sequence, deps.clock.now());
    const payload: TombstonePayload = {
      apiVersion: ARTIFACT_API,
      kind: 'Tombstone',
      cluster,
      kustomization: key,
      target: targetOf(key),
      generation,
      sequence,
      deleted: true,
      revision: current.revision,
    };
    const signed = await signArtifact(payload, deps.keys);
    const storeKey = artifactKey(cluster, signed.digest);
    await putJson(deps.store, storeKey, signed);
    const tombstone: IndexEntry = {
      kustomization: key,
      generation,
      sequence,
      revision: current.revision,
      renderKey: '',
      publishedAt: now(),
      deleted: true,
      digest: signed.digest,
      artifactKey: storeKey,
    };
    await putJson(deps.store, stateKeys.index(cluster, key), tombstone);
    await deps.store.delete(stateKeys.renderStatus(cluster, key));
    await nudge(deps, cluster, { kind: 'nudge', kustomization: key, digest: signed.digest });
    return { outcome: 'withdrawn' };
  }

  const ks = record.kustomization;
  const ksRef = objectRef('Kustomization', ks.metadata);
  try {
    if (ks.spec.suspend) return { outcome: 'unchanged' };
    if (deps.settings.noCrossNamespaceRefs) refuseCrossNamespaceRefs(ks);
    const sourceKey = record.sourceKey || (await resolveSourceKey(deps, cluster, ks, fleetSourceKey));
    if (!sourceKey) {
      // Retryable: the GitRepository may be declared by a sibling whose render has not run yet.
      throw new SluiceError(
        'ReferenceNotFound',
        `${ksRef}: spec.sourceRef: ${ks.spec.sourceRef.kind} '${ks.spec.sourceRef.namespace ?? ks.metadata.namespace}/${ks.spec.sourceRef.name}' not found in cluster ${cluster}; declare the GitRepository in the fleet`,
        { object: ksRef, field: 'spec.sourceRef', retryable: true },
      );
    }
    const [source, spec] = await Promise.all([
      getJson<FetchState>(deps.store, stateKeys.fetchState(sourceKey)),
      getJson<FetchSpec>(deps.store, stateKeys.fetchSpec(sourceKey)),
    ]);
    if (!source?.snapshotDigest || !source.revision) {
      await requestFetch(deps, sourceKey);
      throw new SluiceError(
        'GitFetchFailed',
        `${ksRef}: its source has not been fetched yet; waiting for the first fetch`,
        {
          retryable: true,
        },
      );
    }
    const fleet =
      sourceKey === fleetSourceKey
        ? source
        : await getJson<FetchState>(deps.store, stateKeys.fetchState(fleetSourceKey));
    const generation = {
      fleet: fleet?.generation ?? 0,
      source: source.generation,
      fleetKey: fleetSourceKey,
      sourceKey,
    };
    if (isOlder(generation, current?.generation)) return { outcome: 'stale' };

    const dir = await loadSnapshot(deps, source, spec, ksRef);
    const configs = ks.spec.postBuild?.substituteFrom?.length ? await loadConfigs(deps, cluster) : [];
    const rendered = await renderKustomization(deps.render, {
      ks,
      sourceRoot: dir,
      sourceDigest: source.snapshotDigest,
      strict: deps.settings.strictSubstitution,
      allowRemoteBases: deps.settings.allowRemoteBases,
      configLookup: (kind, namespace, name) =>
        configs.find(
          (c) => c.kind === kind && c.metadata.namespace === namespace && c.metadata.name === name,
        ),
    });
    const split = splitRenderedObjects(rendered.objects, ksRef, {
      maxObjectsPerRender: deps.settings.maxObjectsPerRender ?? DEFAULT_RENDER_LIMITS.maxObjectsPerRender,
      maxChildrenPerKustomization:
        deps.settings.maxChildrenPerKustomization ?? DEFAULT_RENDER_LIMITS.maxChildrenPerKustomization,
    });
    await registerChildren(deps, record, split, fleetSourceKey);

    let payload: ArtifactPayload = {
      apiVersion: ARTIFACT_API,
      kind: 'Artifact',
      cluster,
      kustomization: key,
      target: targetOf(key),
      generation,
      sequence: nextSequence(current?.sequence, deps.clock.now()),
      source: { url: redactUrl(spec?.url ?? ''), revision: source.revision },
      renderKey: rendered.key,
      apply: {
        prune: ks.spec.prune,
        wait: ks.spec.wait,
        force: ks.spec.force,
        timeoutMs: ks.spec.timeoutMs ?? Math.max(30_000, ks.spec.intervalMs - 30_000),
        intervalMs: ks.spec.intervalMs,
        dependsOn: (ks.spec.dependsOn ?? []).map((d) => ({
          name: d.name,
          namespace: d.namespace ?? ks.metadata.namespace,
        })),
      },
      objects: sortForApply(split.shipped),
    };
    // The same content at a newer generation is the same artifact: keep the published one (and its
    // generation and sequence), so an unrelated fleet commit does not make every cluster re-apply
    // everything. Anything else is new content and takes the next sequence.
    if (current?.digest && !current.deleted && current.sequence !== undefined) {
      const same = { ...payload, generation: current.generation, sequence: current.sequence };
      if (digestOf(same) === current.digest) payload = same;
    }
    // Signed only when it is written: an unchanged render (the common case on every unchanged fetch and
    // interval) costs no KMS call. Artifacts are content-addressed, so a stored one is this very payload.
    const digest = digestOf(payload);
    const storeKey = artifactKey(cluster, digest);
    if ((await deps.store.list(storeKey)).length === 0)
      await putJson(deps.store, storeKey, await signArtifact(payload, deps.keys));

    const status: RenderStatus = {
      kustomization: key,
      ready: true,
      reason: 'ReconciliationSucceeded',
      message: `Rendered revision: ${source.revision}`,
      revision: source.revision,
      digest,
      warnings: [...split.warnings, ...notEnforcedWarnings(ks.spec)],
      at: now(),
    };
    await putJson(deps.store, stateKeys.renderStatus(cluster, key), status);
    if (current?.digest === digest && !current.deleted) return { outcome: 'unchanged', digest };
    const entry: IndexEntry = {
      kustomization: key,
      generation: payload.generation,
      sequence: payload.sequence,
      revision: source.revision,
      renderKey: rendered.key,
      publishedAt: now(),
      digest,
      artifactKey: storeKey,
    };
    await putJson(deps.store, stateKeys.index(cluster, key), entry);
    await nudge(deps, cluster, { kind: 'nudge', kustomization: key, digest });
    deps.log.info('published artifact', {
      cluster,
      kustomization: ksRef,
      revision: source.revision,
      digest,
    });
    return { outcome: 'published', digest };
  } catch (err) {
    const e =
      err instanceof SluiceError
        ? err
        : new SluiceError('BuildFailed', `${ksRef}: ${(err as Error).message}`, { cause: err });
    const status: RenderStatus = {
      kustomization: key,
      ready: false,
      reason: reasonForCode(e.code),
      message: e.message,
      warnings: [],
      at: now(),
      ...(current?.revision && { revision: current.revision }),
      ...(current?.digest && { digest: current.digest }),
    };
    await putJson(deps.store, stateKeys.renderStatus(cluster, key), status);
    throw e;
  }
}

/** A Kustomization registered before its GitRepository: look the source up now, and subscribe to it. */
async function resolveSourceKey(
  deps: PipelineDeps,
  cluster: string,
  ks: KustomizationRecord['kustomization'],
  fleetKey: string,
): Promise<string> {
  if (ks.spec.sourceRef.kind !== 'GitRepository') return '';
  const ref = {
    namespace: ks.spec.sourceRef.namespace ?? ks.metadata.namespace,
    name: ks.spec.sourceRef.name,
  };
  const key =
    ref.namespace === 'flux-system' && ref.name === 'flux-system'
      ? fleetKey
      : ((await getJson<{ sourceKey: string }>(deps.store, stateKeys.source(cluster, ref)))?.sourceKey ?? '');
  if (key) await deps.store.put(stateKeys.fetchUser(key, cluster, ks.metadata), '');
  return key;
}

async function loadConfigs(deps: PipelineDeps, cluster: string): Promise<ConfigData[]> {
  const out: ConfigData[] = [];
  for (const path of await deps.store.list(stateKeys.configs(cluster))) {
    const r = await getJson<ConfigRecord>(deps.store, path);
    if (r)
      out.push({
        kind: r.kind,
        metadata: { name: r.name, namespace: r.namespace, labels: {}, annotations: {} },
        data: r.data,
        source: { file: path, document: 0 },
      });
  }
  return out;
}

async function requestFetch(deps: PipelineDeps, sourceKey: string): Promise<void> {
  const job: FetchJob = { kind: 'fetch', sourceKey, reason: 'registration' };
  await deps.queue.send(deps.queues.fetch, {
    body: encodeJob(job),
    groupId: sourceKey,
    deduplicationId: `${sourceKey}/waiting/${Math.floor(deps.clock.now() / 10_000)}`,
  });
}

async function nudge(deps: PipelineDeps, cluster: string, message: ClusterNudge): Promise<void> {
  await deps.queue.send(deps.queues.cluster(cluster), { body: encodeJob(message) });
}
