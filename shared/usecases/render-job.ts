// Use-case: render one target of one cluster from the latest state and publish it, as a list of named
// steps (see renderJob). A failure leaves the index, and so the cluster, at the last good artifact; the
// reason lands in the target's render status. The target's kind picks its Renderer; nothing here reads a spec.
import type { ConfigData } from '../api/config-data.ts';
import { sortForApply } from '../core/apply/apply-order.ts';
import {
  ARTIFACT_API,
  type ArtifactPayload,
  bindingOf,
  digestOf,
  type TombstonePayload,
} from '../core/artifact/artifact.ts';
import { type Generation, isOlder } from '../core/artifact/generation.ts';
import type { RollbackRecord } from '../core/artifact/rollback.ts';
import { nextSequence } from '../core/artifact/sequence.ts';
import { signArtifact } from '../core/artifact/sign-artifact.ts';
import { type FluxObjectFound, fluxObjectsFound } from '../core/check/flux-object-found.ts';
import { fluxObjectsUndeclared } from '../core/check/flux-objects-undeclared.ts';
import { SluiceError } from '../core/errors.ts';
import { reasonForCode } from '../core/flux-reason.ts';
import { redactUrl } from '../core/git/select-ref.ts';
import { encodeJob, type RenderJob } from '../core/pipeline/jobs.ts';
import type { FetchSpec, FetchState, IndexEntry, RenderStatus } from '../core/pipeline/records.ts';
import { isSourceKind } from '../core/pipeline/source-kind.ts';
import {
  DEFAULT_RENDER_LIMITS,
  type SplitResult,
  splitRenderedObjects,
} from '../core/pipeline/split-rendered-objects.ts';
import { describeTarget, type Target } from '../core/pipeline/target.ts';
import { asKustomizationRecord, recordObject } from '../core/pipeline/target-record.ts';
import { unsupportedSourceKind } from '../core/pipeline/unsupported-source-kind.ts';
import { locateError } from '../core/render/locate-error.ts';
import type { KubeObject } from '../core/render/yaml-codec.ts';
import { hasSecrets, sealArtifact } from '../core/secrets/seal-artifact.ts';
import type { Renderer, RenderOutput, RenderPlan, TargetRecord } from '../ports/renderer.ts';
import { renderAdopting } from './adopt-fleet-root.ts';
import { enqueueFetch } from './enqueue.ts';
// Snapshot integrity: the stored snapshot is checked against its digest before it is unpacked.
import { loadSnapshot } from './load-snapshot.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { publishSuspension } from './publish-suspension.ts';
import { registerChildren } from './register-children.ts';
import type { FleetKeyOf } from './register-fleet.ts';
import { removalTerms } from './removal-terms.ts';
import { declaredChildren, enqueueChildRenders } from './render-order.ts';
import { rendererFor } from './renderers/renderer-for.ts';
import { reportFleetLayout } from './report-fleet-layout.ts';
import { heldRender, heldStatus } from './rollback-hold.ts';
import { rollbackTarget } from './rollback-target.ts';
import { clusterSecretsOf } from './secrets/cluster-secrets.ts';
import { type StateStore, stateOf } from './state-store.ts';

export interface RenderJobResult {
  /** `waiting`: its source has not been fetched yet; that fetch queues this render when it is done. */
  outcome: 'published' | 'unchanged' | 'stale' | 'withdrawn' | 'waiting';
  digest?: string;
}

/** What the steps of one render share. */
interface RenderContext {
  deps: PipelineDeps;
  state: StateStore;
  cluster: string;
  target: Target;
  fleetSourceKey: string;
  /** The index entry before this render; only this target's render jobs write it. */
  current: IndexEntry | undefined;
  now(): string;
}

/** The source a render reads, at the generation it carries. */
interface ResolvedSource {
  state: FetchState & { snapshotDigest: string; revision: string };
  spec: FetchSpec | undefined;
  generation: Generation;
}

export async function renderJob(
  deps: PipelineDeps,
  job: RenderJob,
  fleet: string | FleetKeyOf,
): Promise<RenderJobResult> {
  const { cluster, target } = job;
  // Each cluster's own fleet source: clusters may follow different branches of the fleet (register-fleet.ts).
  const fleetSourceKey = typeof fleet === 'string' ? fleet : fleet(cluster);
  // An operator's rollback rides the target's render group: this job stays its index entry's one writer.
  if (job.rollback) return rollbackTarget(deps, { ...job, rollback: job.rollback });
  const now = () => new Date(deps.clock.now()).toISOString();
  // 1. load the target's declared record and its current index entry
  const state = stateOf(deps);
  const [record, current] = await Promise.all([
    state.getTargetRecord(cluster, target),
    state.getIndexEntry(cluster, target),
  ]);
  const ctx: RenderContext = { deps, state, cluster, target, fleetSourceKey, current, now };
  // 2. withdrawn by its parent: a signed tombstone, so the puller prunes what it applied
  if (!record) return withdraw(ctx);
  // What the render produced, once it has: a failure after it still says which Flux objects it held.
  let renderedObjects: readonly KubeObject[] | undefined;
  try {
    // 3. plan from the record, with the renderer of the target's kind
    const renderer = rendererFor(deps.render, target);
    const planOptions = { noCrossNamespaceRefs: deps.settings.noCrossNamespaceRefs === true };
    let plan = renderer.plan(record, planOptions);
    if (plan.suspended) {
      await passOn(ctx, record);
      // As Flux stops reconciling it: the puller learns it from a signed record, stops and says Suspended.
      await publishSuspension(deps, cluster, target, current);
      return { outcome: 'unchanged' };
    }
    // 4. resolve its source (not fetched yet: wait for it); an older generation than the published one is stale
    const source = await resolveSource(ctx, record, plan);
    if (source === 'waiting') return { outcome: 'waiting' };
    if (isOlder(source.generation, current?.generation)) return { outcome: 'stale' };
    // A cluster's root also checks the fleet's directories against the declared clusters (fleet-layout.ts).
    if (record.parent === null) await reportFleetLayout(deps, cluster, source.state, source.spec);
    // 5. render from the verified local snapshot
    // ...a cluster's root as its fleet declares it (gotk-sync.yaml, a FluxInstance: adopt-fleet-root.ts)
    const rendered = await renderAdopting(deps, { record, plan }, source.spec, async (r, planned) => {
      const p = planned ?? renderer.plan(r, planOptions);
      return { plan: p, output: await render(ctx, renderer, r, p, source) };
    });
    let { output } = rendered;
    renderedObjects = output.objects;
    plan = rendered.plan;
    // 6. split what it rendered; the Flux objects among it become this cluster's inputs
    let split = splitRenderedObjects(output.objects, plan.objectRef, renderLimits(deps));
    const kustomization = asKustomizationRecord(rendered.record);
    // Only Kustomizations declare children; Flux objects a chart renders are skipped with a warning (splitRenderedObjects).
    const children = kustomization
      ? await registerChildren(deps, kustomization, split, fleetSourceKey)
      : { declared: [], queued: new Set<string>() };
    // ...and only now, with what this revision declares registered, its children of the same source render
    await passOn(ctx, rendered.record, children);
    // 7. store the artifact, signed only when it is new
    let stored = await prepareArtifact(ctx, plan, source, output, split);
    // A release kept as the install the cluster has is in sync only if the artifact is that very one: any
    // other change (a timeout, history, suspend lifted) is an upgrade, rendered and applied as one.
    if (output.keptInstall && !('held' in stored) && stored.digest !== current?.digest) {
      output = await render(ctx, renderer, rendered.record, plan, source, { upgrade: true });
      renderedObjects = output.objects;
      split = splitRenderedObjects(output.objects, plan.objectRef, renderLimits(deps));
      stored = await prepareArtifact(ctx, plan, source, output, split);
    }
    if (!('held' in stored)) await storeSigned(ctx, stored);
    // A rollback holds while renders give back what it rolled back from (rollback-target.ts).
    if ('held' in stored && current) {
      await state.putRenderStatus(
        cluster,
        heldStatus(target, current, source.state.revision, stored.held, now()),
      );
      return { outcome: 'unchanged', ...(current.digest && { digest: current.digest }) };
    }
    const { payload, digest } = stored as { payload: ArtifactPayload; digest: string };
    // 8. its render status
    await state.putRenderStatus(cluster, {
      ...readyStatus(ctx, source, digest, [
        ...split.warnings,
        ...plan.warnings,
        ...rendered.warnings,
        ...(output.warnings ?? []),
        ...(kustomization ? [] : fluxObjectsOfChart(split)),
      ]),
      // What became of each Flux object it rendered, as data (sluice check reads it).
      fluxObjects: fluxObjectsFound(output.objects, split, kustomization !== undefined),
    });
    if (current?.digest === digest && !current.deleted) return { outcome: 'unchanged', digest };
    // 9. move the index forward and nudge the cluster
    await publish(ctx, { ...payload, digest, renderKey: output.key, revision: source.state.revision });
    deps.log.info('published artifact', {
      cluster,
      target: plan.objectRef,
      revision: source.state.revision,
      digest,
    });
    return { outcome: 'published', digest };
  } catch (err) {
    // Every status message starts with the file and the object, whichever step failed.
    const failure = await recordFailure(
      ctx,
      locateError(err, recordObject(record)),
      renderedObjects && asKustomizationRecord(record) ? fluxObjectsUndeclared(renderedObjects) : undefined,
    );
    // Its children still render the new revision, from the records its last good render registered.
    await passOn(ctx, record);
    throw failure;
  }
}

/** Flux objects a chart rendered: a HelmRelease declares no inputs, so they are reported and not shipped. */
function fluxObjectsOfChart(split: SplitResult): string[] {
  const found = [...split.gitRepositories, ...split.kustomizations, ...split.chartSources].map(
    (o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`,
  );
  return found.length === 0
    ? []
    : [
        `the chart renders Flux objects (${found.join(', ')}); only Kustomizations declare sources and children in Sluice, so they were skipped: declare them in the fleet`,
      ];
}

/** The source moved and the fetch left this target's children of the same source to it (see render-order). */
async function passOn(
  ctx: RenderContext,
  record: TargetRecord,
  children?: { declared: string[]; queued: Set<string> },
): Promise<void> {
  const kustomization = asKustomizationRecord(record);
  if (!kustomization) return;
  const parent = kustomization.kustomization.metadata;
  const known = children ?? {
    declared: await declaredChildren(ctx.state, ctx.cluster, parent),
    queued: new Set<string>(),
  };
  await enqueueChildRenders(ctx.deps, ctx.cluster, parent, record.sourceKey, known);
}

/** Step 2: the record is gone. A tombstone written before removals were signed or sequenced is signed now. */
async function withdraw(ctx: RenderContext): Promise<RenderJobResult> {
  const { deps, state, cluster, target, current } = ctx;
  if (!current || (current.deleted && current.digest && current.sequence !== undefined))
    return { outcome: 'unchanged' };
  const fleet = await state.getFetchState(ctx.fleetSourceKey);
  // The generation may equal the removed artifact's (a tenant source withdrew it, the fleet did not move);
  // the sequence is what makes the removal newer than every record before it.
  const generation = { ...current.generation, fleet: fleet?.generation ?? current.generation.fleet };
  const sequence = nextSequence(current.sequence, deps.clock.now());
  const payload: TombstonePayload = {
    apiVersion: ARTIFACT_API,
    kind: 'Tombstone',
    cluster,
    ...bindingOf(target),
    generation,
    sequence,
    deleted: true,
    revision: current.revision,
    // spec.deletionPolicy and suspension of what it last published, signed with the removal.
    ...(await removalTerms(deps, state, cluster, target, current)),
  };
  const signed = await signArtifact(payload, deps.keys);
  const storeKey = await state.putArtifact(cluster, signed);
  // The index entry only points at it: an unsigned `deleted: true` makes no puller delete anything.
  await state.putIndexEntry(cluster, {
    target,
    generation,
    sequence,
    revision: current.revision,
    renderKey: '',
    publishedAt: ctx.now(),
    deleted: true,
    digest: signed.digest,
    artifactKey: storeKey,
  });
  await state.deleteRenderStatus(cluster, target);
  await nudge(deps, cluster, target, signed.digest);
  return { outcome: 'withdrawn' };
}

/**
 * Step 4: the source's fetch state (fetched at least once) and the generation a render of it carries; or
 * `waiting` when its first fetch has not happened yet, an expected wait: this target is subscribed to the
 * source before its fetch state is read, so that fetch, once done, queues this render again.
 */
async function resolveSource(
  ctx: RenderContext,
  record: TargetRecord,
  plan: RenderPlan,
): Promise<ResolvedSource | 'waiting'> {
  const { deps, state: store, cluster, fleetSourceKey } = ctx;
  const sourceKey = record.sourceKey || (await subscribeToSource(ctx, plan));
  if (!sourceKey) {
    const { sourceRef } = plan;
    const unsupported = unsupportedSourceKind(plan.objectRef, sourceRef);
    if (unsupported) throw unsupported;
    // Retryable: the source may be declared by a sibling whose render has not run yet.
    const fix =
      sourceRef.kind === 'ExternalArtifact'
        ? `declare an ArtifactGenerator in namespace ${sourceRef.namespace} with an artifact named ${sourceRef.name}: Sluice has ExternalArtifacts only from ArtifactGenerators`
        : `declare the ${sourceRef.kind} in the fleet`;
    throw new SluiceError(
      'ReferenceNotFound',
      `${plan.objectRef}: spec.sourceRef: ${sourceRef.kind} '${sourceRef.namespace}/${sourceRef.name}' not found in cluster ${cluster}; ${fix}`,
      { object: plan.objectRef, field: 'spec.sourceRef', retryable: true },
    );
  }
  const [state, spec] = await Promise.all([store.getFetchState(sourceKey), store.getFetchSpec(sourceKey)]);
  if (!state?.snapshotDigest || !state.revision) {
    // Queued at registration already; once more in case that job was lost (the same 10 s is one fetch).
    await enqueueFetch(deps, sourceKey, 'registration', `waiting/${Math.floor(deps.clock.now() / 10_000)}`);
    if (!state?.error) return 'waiting';
    // Its fetch was tried and failed: that is a failure of this render too, with the fetch's reason.
    throw new SluiceError(
      'GitFetchFailed',
      `${plan.objectRef}: its source has not been fetched yet (${state.error.code}); waiting for a fetch to succeed`,
      { retryable: true },
    );
  }
  const fleet = sourceKey === fleetSourceKey ? state : await store.getFetchState(fleetSourceKey);
  return {
    state: state as ResolvedSource['state'],
    spec,
    generation: {
      fleet: fleet?.generation ?? 0,
      source: state.generation,
      fleetKey: fleetSourceKey,
      sourceKey,
    },
  };
}

/** A target registered before its GitRepository: look the source up now, and subscribe to it. */
async function subscribeToSource(ctx: RenderContext, plan: RenderPlan): Promise<string> {
  const { state, cluster, target, fleetSourceKey } = ctx;
  const { sourceRef } = plan;
  if (!isSourceKind(sourceRef.kind) || sourceRef.kind === 'HelmRepository') return '';
  const key =
    sourceRef.kind === 'GitRepository' &&
    sourceRef.namespace === 'flux-system' &&
    sourceRef.name === 'flux-system'
      ? fleetSourceKey
      : ((await state.getClusterSource(cluster, sourceRef, sourceRef.kind))?.sourceKey ?? '');
  if (key) await state.subscribe(key, cluster, target);
  return key;
}

/** Step 5: unpack the snapshot (checked against its digest) and hand it to the kind's renderer. */
async function render(
  ctx: RenderContext,
  renderer: Renderer,
  record: TargetRecord,
  plan: RenderPlan,
  source: ResolvedSource,
  opts: { upgrade?: boolean } = {},
): Promise<RenderOutput> {
  const { deps, cluster } = ctx;
  const dir = await loadSnapshot(deps, source.state, source.spec, plan.objectRef);
  // A HelmRelease renders against the cluster's capabilities and as an upgrade once its release exists.
  const helm = ctx.target.kind === 'HelmRelease';
  const [capabilities, applied] = helm
    ? await Promise.all([ctx.state.getCapabilities(cluster), ctx.state.getApplyStatus(cluster, ctx.target)])
    : [undefined, undefined];
  return renderer.render(record, {
    sourceRoot: dir,
    sourceDigest: source.state.snapshotDigest,
    configs: plan.needsConfigs ? await loadConfigs(ctx.state, cluster) : [],
    strictSubstitution: deps.settings.strictSubstitution,
    allowRemoteBases: deps.settings.allowRemoteBases,
    ...(capabilities && { capabilities }),
    ...(helm && { releaseExists: applied !== undefined }),
    // Without the published key, a release that exists is always rendered as an upgrade.
    ...(helm &&
      !opts.upgrade &&
      ctx.current?.renderKey &&
      !ctx.current.deleted && { publishedKey: ctx.current.renderKey }),
  });
}

function renderLimits(deps: PipelineDeps) {
  return {
    maxObjectsPerRender: deps.settings.maxObjectsPerRender ?? DEFAULT_RENDER_LIMITS.maxObjectsPerRender,
    maxChildrenPerKustomization:
      deps.settings.maxChildrenPerKustomization ?? DEFAULT_RENDER_LIMITS.maxChildrenPerKustomization,
  };
}

/**
 * Step 7. The same content at a newer generation is the same artifact: keep the published one (and its
 * generation and sequence), so an unrelated fleet commit does not make every cluster re-apply everything.
 * Anything else is new content and takes the next sequence. Not signed here: storeSigned signs only what
 * it writes, so an unchanged render (every unchanged fetch and interval) costs no KMS call.
 */
async function prepareArtifact(
  ctx: RenderContext,
  plan: RenderPlan,
  source: ResolvedSource,
  output: RenderOutput,
  split: SplitResult,
): Promise<{ payload: ArtifactPayload; digest: string } | { held: RollbackRecord }> {
  const { deps, cluster, target, current } = ctx;
  let payload: ArtifactPayload = {
    apiVersion: ARTIFACT_API,
    kind: 'Artifact',
    cluster,
    ...bindingOf(target),
    generation: source.generation,
    sequence: nextSequence(current?.sequence, deps.clock.now()),
    source: { url: redactUrl(source.spec?.url ?? ''), revision: source.state.revision },
    renderKey: output.key,
    apply: output.helm ? { ...plan.apply, helm: output.helm } : plan.apply,
    objects: sortForApply(split.shipped),
  };
  const unsealed = payload;
  // Secrets are sealed for this cluster before the digest is taken: the store and the signature only
  // ever see the sealed form, and equal content seals to equal bytes (the digest stays put).
  if (hasSecrets(payload)) {
    const { cipher, wrapped } = await clusterSecretsOf(deps.dataKeys, deps.clock).sealer(cluster, ctx.state);
    payload = sealArtifact(payload, cipher, wrapped);
  }
  const held = await heldRender(deps, cluster, current, payload, unsealed);
  if (held) return { held };
  if (current?.digest && !current.deleted && current.sequence !== undefined) {
    const same = { ...payload, generation: current.generation, sequence: current.sequence };
    if (digestOf(same) === current.digest) payload = same;
  }
  return { payload, digest: digestOf(payload) };
}

/** Artifacts are content-addressed: one already stored under this digest is this very payload. */
async function storeSigned(
  ctx: RenderContext,
  artifact: { payload: ArtifactPayload; digest: string },
): Promise<void> {
  if (!(await ctx.state.hasArtifact(ctx.cluster, artifact.digest)))
    await ctx.state.putArtifact(ctx.cluster, await signArtifact(artifact.payload, ctx.deps.keys));
}

function readyStatus(
  ctx: RenderContext,
  source: ResolvedSource,
  digest: string,
  warnings: string[],
): RenderStatus {
  const { revision } = source.state;
  return {
    target: ctx.target,
    ready: true,
    reason: 'ReconciliationSucceeded',
    message: `Rendered revision: ${revision}`,
    revision,
    digest,
    warnings,
    at: ctx.now(),
  };
}

/** Step 9: the index entry points at the stored artifact; the cluster is told to look. */
async function publish(
  ctx: RenderContext,
  published: Pick<ArtifactPayload, 'generation' | 'sequence' | 'renderKey'> & {
    digest: string;
    revision: string;
  },
): Promise<void> {
  const { deps, state, cluster, target } = ctx;
  await state.putIndexEntry(cluster, {
    target,
    generation: published.generation,
    sequence: published.sequence,
    revision: published.revision,
    renderKey: published.renderKey,
    publishedAt: ctx.now(),
    digest: published.digest,
    artifactKey: state.artifactLocation(cluster, published.digest),
  });
  await nudge(deps, cluster, target, published.digest);
}

/** The failure becomes the render status (the last good artifact stays published); returns the typed error. */
async function recordFailure(
  ctx: RenderContext,
  err: unknown,
  fluxObjects?: FluxObjectFound[],
): Promise<SluiceError> {
  const { current } = ctx;
  const e =
    err instanceof SluiceError
      ? err
      : new SluiceError('BuildFailed', `${describeTarget(ctx.target)}: ${(err as Error).message}`, {
          cause: err,
        });
  await ctx.state.putRenderStatus(ctx.cluster, {
    target: ctx.target,
    ready: false,
    reason: reasonForCode(e.code),
    message: e.message,
    warnings: [],
    // The scheduler renders it again at its retryInterval once the queue's retries are spent (render-retry.ts).
    retryable: e.retryable,
    at: ctx.now(),
    ...(current?.revision && { revision: current.revision }),
    ...(current?.digest && { digest: current.digest }),
    ...(fluxObjects && { fluxObjects }),
  });
  return e;
}

async function loadConfigs(state: StateStore, cluster: string): Promise<ConfigData[]> {
  return (await state.listConfigs(cluster)).map(({ ref, record: r }) => ({
    kind: r.kind,
    metadata: { name: r.name, namespace: r.namespace, labels: {}, annotations: {} },
    data: r.data,
    source: { file: ref, document: 0 },
  }));
}

async function nudge(deps: PipelineDeps, cluster: string, target: Target, digest: string): Promise<void> {
  await deps.queue.send(deps.queues.cluster(cluster), { body: encodeJob({ kind: 'nudge', target, digest }) });
}
