// What every target record has, whatever its kind: its target, its object's metadata and spec object (for
// messages and error locations), and the record read as one kind.
import type { HelmRelease } from '../../api/helm-release.ts';
import type { Kustomization } from '../../api/kustomization.ts';
import type { HelmReleaseRecord, KustomizationRecord, TargetRecord } from './records.ts';
import type { Target } from './target.ts';

export function isHelmReleaseRecord(record: TargetRecord): record is HelmReleaseRecord {
  return 'helmRelease' in record;
}

/** The declared object itself: a Kustomization or a HelmRelease. */
export function recordObject(record: TargetRecord): Kustomization | HelmRelease {
  return isHelmReleaseRecord(record) ? record.helmRelease : record.kustomization;
}

export function targetOfRecord(record: TargetRecord): Target {
  const { metadata, kind } = recordObject(record);
  return { kind, namespace: metadata.namespace, name: metadata.name };
}

/** A Kustomization's record, or undefined for another kind. */
export function asKustomizationRecord(record: TargetRecord | undefined): KustomizationRecord | undefined {
  return record && !isHelmReleaseRecord(record) ? record : undefined;
}
