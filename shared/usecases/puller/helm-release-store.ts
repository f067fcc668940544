// Helm's release records of one release in the cluster: read them (whoever wrote them: helm, Flux or
// Sluice), write the next one, mark the previous deployed one superseded, and trim history to maxHistory.
import { SluiceError } from '../../core/errors.ts';
import {
  type ReleaseRecord,
  type ReleaseStatus,
  releaseOfSecret,
  releaseSecret,
  releaseSecretName,
  versionsBeyondHistory,
} from '../../core/helm/release-record.ts';
import type { PullerDeps } from './puller-deps.ts';

export interface StoredRelease {
  release: ReleaseRecord;
  /** The Secret's own labels (helm's createdAt/modifiedAt and any a user added) to keep on rewrite. */
  labels: Record<string, string>;
}

export interface ReleaseRef {
  releaseName: string;
  storageNamespace: string;
}

/** Every record of the release, oldest first. Secrets that do not decode are left out, as helm does. */
export async function readReleaseHistory(deps: PullerDeps, ref: ReleaseRef): Promise<StoredRelease[]> {
  const secrets = await deps.kube.list(
    { apiVersion: 'v1', kind: 'Secret', namespace: ref.storageNamespace },
    `owner=helm,name=${ref.releaseName}`,
  );
  return secrets
    .flatMap((s) => {
      const release = releaseOfSecret(s);
      if (!release || release.name !== ref.releaseName) return [];
      const labels = ((s.metadata as { labels?: Record<string, string> } | undefined)?.labels ??
        {}) as Record<string, string>;
      return [{ release, labels }];
    })
    .sort((a, b) => a.release.version - b.release.version);
}

export async function writeRelease(
  deps: PullerDeps,
  storageNamespace: string,
  stored: StoredRelease,
): Promise<void> {
  await deps.kube.apply(releaseSecret(stored.release, storageNamespace, stored.labels), {
    fieldManager: deps.fieldManager,
    force: true,
  });
}

/** Rewrites a record with another status (superseded, uninstalled), its data and labels agreeing. */
export async function setReleaseStatus(
  deps: PullerDeps,
  storageNamespace: string,
  stored: StoredRelease,
  status: ReleaseStatus,
  extra: Partial<ReleaseRecord['info']> = {},
): Promise<void> {
  const release = { ...stored.release, info: { ...stored.release.info, ...extra, status } };
  await writeRelease(deps, storageNamespace, { ...stored, release });
}

export async function deleteReleaseVersions(
  deps: PullerDeps,
  ref: ReleaseRef,
  versions: readonly number[],
): Promise<void> {
  for (const version of versions) {
    await deps.kube.delete({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: ref.storageNamespace,
      name: releaseSecretName(ref.releaseName, version),
    });
  }
}

/**
 * Records a new revision: the deployed one before it becomes superseded when this one deployed (a failed
 * one leaves it deployed, as helm upgrade does), then history beyond `maxHistory` is deleted.
 */
export async function recordRevision(
  deps: PullerDeps,
  ref: ReleaseRef,
  history: readonly StoredRelease[],
  next: ReleaseRecord,
  maxHistory: number,
): Promise<void> {
  if (history.some((h) => h.release.version === next.version))
    throw new SluiceError(
      'ApplyFailed',
      `release record ${releaseSecretName(next.name, next.version)} already exists; retrying`,
      { retryable: true },
    );
  await writeRelease(deps, ref.storageNamespace, {
    release: next,
    labels: { createdAt: String(Math.floor(deps.clock.now() / 1000)) },
  });
  if (next.info.status === 'deployed') {
    for (const old of history)
      if (old.release.info.status === 'deployed')
        await setReleaseStatus(deps, ref.storageNamespace, old, 'superseded');
  }
  const summaries = [
    ...history.map((h) => ({
      version: h.release.version,
      status:
        next.info.status === 'deployed' && h.release.info.status === 'deployed'
          ? ('superseded' as const)
          : h.release.info.status,
    })),
    { version: next.version, status: next.info.status },
  ];
  await deleteReleaseVersions(deps, ref, versionsBeyondHistory(summaries, maxHistory));
}

export function nextVersion(history: readonly StoredRelease[]): number {
  return (history.at(-1)?.release.version ?? 0) + 1;
}
