// Which objects Kubernetes keeps outside namespaces, so a render can put every other object in the release
// namespace as Helm's client does (it asks the cluster's REST mapping; a render has only this list and the
// CRDs rendered with the release).
import type { KubeObject } from '../render/yaml-codec.ts';

/** Built-in cluster-scoped kinds by `group/kind` (core group empty). */
const BUILT_IN = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  '/ComponentStatus',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy',
  'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'authentication.k8s.io/TokenReview',
  'authentication.k8s.io/SelfSubjectReview',
  'authorization.k8s.io/SelfSubjectAccessReview',
  'authorization.k8s.io/SelfSubjectRulesReview',
  'authorization.k8s.io/SubjectAccessReview',
  'certificates.k8s.io/CertificateSigningRequest',
  'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/ServiceCIDR',
  'node.k8s.io/RuntimeClass',
  'policy/PodSecurityPolicy',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'resource.k8s.io/DeviceClass',
  'resource.k8s.io/ResourceSlice',
  'scheduling.k8s.io/PriorityClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/VolumeAttributesClass',
  'snapshot.storage.k8s.io/VolumeSnapshotClass',
  'snapshot.storage.k8s.io/VolumeSnapshotContent',
  'gateway.networking.k8s.io/GatewayClass',
]);

export function groupKind(obj: KubeObject): string {
  const apiVersion = String(obj.apiVersion ?? '');
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return `${group}/${String(obj.kind ?? '')}`;
}

/** `group/kind` of every Cluster-scoped CustomResourceDefinition among `objects`. */
export function clusterScopedCrdKinds(objects: readonly KubeObject[]): Set<string> {
  const kinds = new Set<string>();
  for (const obj of objects) {
    if (groupKind(obj) !== 'apiextensions.k8s.io/CustomResourceDefinition') continue;
    const spec = (obj.spec ?? {}) as Record<string, unknown>;
    const names = (spec.names ?? {}) as Record<string, unknown>;
    if (spec.scope === 'Cluster' && typeof spec.group === 'string' && typeof names.kind === 'string')
      kinds.add(`${spec.group}/${names.kind}`);
  }
  return kinds;
}

/** Cluster-scoped as far as the render can tell; a kind it does not know is taken as namespaced. */
export function isClusterScoped(obj: KubeObject, crdKinds: ReadonlySet<string>): boolean {
  const key = groupKind(obj);
  return BUILT_IN.has(key) || crdKinds.has(key);
}
