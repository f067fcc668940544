// The schemas of the control plane's records other than the per-target ones (target-record-schemas.ts):
// what state-store.ts checks every read against. A shape check, not a full decode: nested specs (a
// Kustomization) were decoded when they were declared and are trusted as the store's own writing.

import { isWrappedKey } from '../secrets/wrapped-key.ts';
import {
  fieldProblem,
  isBoolean,
  isNumber,
  isObject,
  isString,
  isStringArray,
  type RecordSchema,
} from './record-codec.ts';
import type {
  ClusterCapabilities,
  ClusterSourceRecord,
  ConfigRecord,
  DataKeyRecord,
  Declarations,
  FetchSpec,
  FetchState,
  HelmReleaseRecord,
  KustomizationRecord,
  SourceDeclarer,
  SourceWaiter,
} from './records.ts';

const isObjectKey = (v: unknown) =>
  isObject(v) &&
  isString((v as { namespace?: unknown }).namespace) &&
  isString((v as { name?: unknown }).name);

export const fetchSpecSchema: RecordSchema<FetchSpec> = {
  name: 'fetch spec',
  problem: (v) =>
    fieldProblem(v, {
      sourceKey: isString,
      'kind?': isString,
      url: isString,
      'ref?': isObject,
      'certSecret?': isObject,
      'oci?': isObject,
      'helmRepository?': isObject,
      'helmChart?': isObject,
      'bucket?': isObject,
      'ignore?': isString,
      'secret?': isObject,
      'fleetCredentials?': isBoolean,
      'intervalMs?': isNumber,
      'declaredBy?': isString,
    }),
};

export const sourceDeclarerSchema: RecordSchema<SourceDeclarer> = {
  name: 'source declarer',
  problem: (v) =>
    fieldProblem(v, {
      'cluster?': isString,
      'kind?': isString,
      namespace: isString,
      name: isString,
      intervalMs: isNumber,
      'suspended?': isBoolean,
      'parent?': isObjectKey,
    }),
};

export const fetchStateSchema: RecordSchema<FetchState> = {
  name: 'fetch state',
  problem: (v) =>
    fieldProblem(v, {
      sourceKey: isString,
      generation: isNumber,
      'revision?': isString,
      'commit?': isString,
      'snapshotDigest?': isString,
      'bundleDigest?': isString,
      'fetchedAt?': isString,
      'lastAttemptAt?': isString,
      'error?': isObject,
      'etag?': isString,
      'artifactDigest?': isString,
      'chart?': isObject,
      'rendersPending?': isBoolean,
    }),
};

export const kustomizationRecordSchema: RecordSchema<KustomizationRecord> = {
  name: 'Kustomization record',
  problem: (v) =>
    fieldProblem(v, {
      cluster: isString,
      kustomization: isObject,
      sourceKey: isString,
      'ancestors?': isStringArray,
    }) ?? (v.parent === null || isObjectKey(v.parent) ? undefined : 'parent is of the wrong type'),
};

export const helmReleaseRecordSchema: RecordSchema<HelmReleaseRecord> = {
  name: 'HelmRelease record',
  problem: (v) =>
    fieldProblem(v, {
      cluster: isString,
      helmRelease: isObject,
      sourceKey: isString,
      'ancestors?': isStringArray,
    }) ?? (v.parent === null || isObjectKey(v.parent) ? undefined : 'parent is of the wrong type'),
};

export const capabilitiesSchema: RecordSchema<ClusterCapabilities> = {
  name: 'cluster capabilities',
  problem: (v) => fieldProblem(v, { kubeVersion: isString, apiVersions: isStringArray }),
};

export const dataKeyRecordSchema: RecordSchema<DataKeyRecord> = {
  name: 'data key',
  problem: (v) => fieldProblem(v, { wrapped: isWrappedKey, createdAt: isString }),
};

export const clusterSourceSchema: RecordSchema<ClusterSourceRecord> = {
  name: 'cluster source',
  problem: (v) => fieldProblem(v, { sourceKey: isString, parent: isObjectKey }),
};

export const configRecordSchema: RecordSchema<ConfigRecord> = {
  name: 'config',
  problem: (v) =>
    fieldProblem(v, {
      kind: isString,
      namespace: isString,
      name: isString,
      data: isObject,
      parent: isObjectKey,
      'seal?': isWrappedKey,
    }),
};

export const declarationsSchema: RecordSchema<Declarations> = {
  name: 'declarations',
  problem: (v) =>
    fieldProblem(v, {
      kustomizations: isStringArray,
      configs: isStringArray,
      sources: isStringArray,
      'helmReleases?': isStringArray,
      'sourceDeclarers?': isStringArray,
    }),
};

export const sourceWaiterSchema: RecordSchema<SourceWaiter> = {
  name: 'source waiter',
  problem: (v) =>
    fieldProblem(v, { kind: isString, namespace: isString, name: isString, 'sourceKey?': isString }),
};
