// Use-case: a target's current artifact as its objects (`sluice get artifact`), read from the store and
// served only after its digest, signature and binding check out, exactly as a puller would accept it.

import { checkBinding } from '../core/artifact/binding.ts';
import type { RollbackRecord } from '../core/artifact/rollback.ts';
import { verifyArtifact } from '../core/artifact/sign-artifact.ts';
import { isSluiceError } from '../core/errors.ts';
import { HttpError } from '../core/http-error.ts';
import { describeTarget, type Target, toTarget } from '../core/pipeline/target.ts';
import type { KubeObject } from '../core/render/yaml-codec.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { stateOf } from './state-store.ts';

export interface ArtifactView {
  cluster: string;
  target: Target;
  digest: string;
  revision: string;
  /** In apply order, as the puller applies them (Secrets included, as the artifact holds them). */
  objects: KubeObject[];
  /** Present when the artifact is a signed rollback: what it restored, from what, when and by whom. */
  rollback?: RollbackRecord;
}

/** Throws a 404 HttpError (ReferenceNotFound) naming what is known when there is nothing to show. */
export async function readArtifact(
  deps: Pick<PipelineDeps, 'store' | 'settings' | 'keys'>,
  cluster: string,
  target: Target,
): Promise<ArtifactView> {
  const notFound = (message: string) => new HttpError(404, 'ReferenceNotFound', message);
  if (!deps.settings.clusters.includes(cluster))
    throw notFound(`no cluster "${cluster}"; declared clusters: ${deps.settings.clusters.join(', ')}`);
  const store = stateOf(deps);
  const entry = await store.getIndexEntry(cluster, target);
  if (!entry?.artifactKey || !entry.digest) {
    const render = await store.getRenderStatus(cluster, target);
    if (render && !render.ready)
      throw notFound(`${describeTarget(target)} in cluster "${cluster}" has no artifact: ${render.message}`);
    const known = [
      ...(await store.listDeclaredTargets(cluster)),
      ...(await store.listIndexedTargets(cluster)),
    ]
      .filter((t) => t.kind === target.kind)
      .map((t) => `${t.namespace}/${t.name}`);
    throw notFound(
      `no artifact for ${describeTarget(target)} in cluster "${cluster}" (not rendered yet, or not declared); known: ${[...new Set(known)].sort().join(', ') || 'none'}`,
    );
  }
  if (entry.deleted)
    throw notFound(
      `${describeTarget(target)} was removed from cluster "${cluster}" (revision ${entry.revision})`,
    );
  const signed = await store.getArtifactAt(entry.artifactKey);
  if (!signed)
    throw notFound(`artifact ${entry.digest} of ${describeTarget(target)} is missing from the store`);
  // Shown only if a puller would accept it: right digest and signature, signed for this cluster and target.
  const publicKeyPem = await deps.keys.publicKeyPem();
  let payload: ReturnType<typeof verifyArtifact>;
  try {
    payload = verifyArtifact(signed, publicKeyPem, entry.digest);
    checkBinding(payload, { cluster, target, keyFingerprint: '', digest: signed.digest }, undefined);
  } catch (err) {
    // The reason names digests and targets only: safe, and what the operator needs.
    if (isSluiceError(err) && err.code === 'ArtifactRejected')
      throw new HttpError(500, 'ArtifactRejected', err.message, { expose: true });
    throw err;
  }
  return {
    cluster,
    target: toTarget(target),
    digest: signed.digest,
    revision: payload.source.revision,
    objects: payload.objects,
    ...(payload.rollback && { rollback: payload.rollback }),
  };
}
