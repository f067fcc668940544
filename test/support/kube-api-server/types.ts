// Shapes of the Kubernetes objects the stand-in stores and serves (only the fields it interprets are typed)
// plus the RFC 3339 timestamp format the real API server writes.

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: ManagedFieldsEntry[];
  finalizers?: string[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** `2024-05-01T12:00:00Z`: second precision, like metav1.Time. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const METADATA_ORDER = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

/** Same object with keys in the order the real server serializes them (apiVersion, kind, metadata, ...). */
export function canonicalOrder(obj: KubeObject): KubeObject {
  const { apiVersion, kind, metadata, ...rest } = obj;
  const orderedMeta: ObjectMeta = {};
  for (const key of METADATA_ORDER) if (metadata[key] !== undefined) orderedMeta[key] = metadata[key];
  for (const [key, value] of Object.entries(metadata)) if (!(key in orderedMeta)) orderedMeta[key] = value;
  return { apiVersion, kind, metadata: orderedMeta, ...rest };
}
