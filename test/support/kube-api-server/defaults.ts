// Defaulting done by the real API server on every write, for the fields clients commonly read back:
// Namespace label/finalizer, Secret stringData folding, Service type/clusterIP/ports, workload replicas.

import { isMap, type JsonMap } from './json.ts';
import type { ResourceType } from './resources.ts';
import type { KubeObject } from './types.ts';

export interface DefaultingContext {
  /** Next free ClusterIP from the fake service CIDR. */
  allocateClusterIP(): string;
}

function spec(obj: KubeObject): JsonMap {
  if (!isMap(obj.spec)) obj.spec = {};
  return obj.spec as JsonMap;
}

function defaultNamespace(obj: KubeObject): void {
  obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
  const s = spec(obj);
  if (!Array.isArray(s.finalizers)) s.finalizers = ['kubernetes'];
}

function defaultSecret(obj: KubeObject): void {
  if (isMap(obj.stringData)) {
    const data: JsonMap = isMap(obj.data) ? obj.data : {};
    for (const [key, value] of Object.entries(obj.stringData)) {
      data[key] = Buffer.from(String(value)).toString('base64');
    }
    obj.data = data;
  }
  delete obj.stringData;
  if (typeof obj.type !== 'string' || obj.type === '') obj.type = 'Opaque';
}

function defaultService(obj: KubeObject, live: KubeObject | undefined, ctx: DefaultingContext): void {
  const s = spec(obj);
  if (typeof s.type !== 'string') s.type = 'ClusterIP';
  if (s.type === 'ExternalName') return;
  const liveSpec = live && isMap(live.spec) ? live.spec : {};
  if (typeof s.clusterIP !== 'string' || s.clusterIP === '') {
    s.clusterIP = typeof liveSpec.clusterIP === 'string' ? liveSpec.clusterIP : ctx.allocateClusterIP();
  }
  if (!Array.isArray(s.clusterIPs)) s.clusterIPs = [s.clusterIP];
  if (typeof s.sessionAffinity !== 'string') s.sessionAffinity = 'None';
  if (Array.isArray(s.ports)) {
    for (const port of s.ports) {
      if (!isMap(port)) continue;
      if (port.protocol === undefined) port.protocol = 'TCP';
      if (port.targetPort === undefined) port.targetPort = port.port;
    }
  }
}

function defaultWorkload(obj: KubeObject): void {
  const s = spec(obj);
  if (s.replicas === undefined || s.replicas === null) s.replicas = 1;
  if (s.revisionHistoryLimit === undefined) s.revisionHistoryLimit = 10;
  if (obj.kind === 'Deployment' && s.progressDeadlineSeconds === undefined) s.progressDeadlineSeconds = 600;
  if (obj.kind === 'StatefulSet' && s.podManagementPolicy === undefined)
    s.podManagementPolicy = 'OrderedReady';
}

export function applyDefaults(
  type: ResourceType,
  obj: KubeObject,
  live: KubeObject | undefined,
  ctx: DefaultingContext,
): void {
  if (type.crd) return;
  switch (`${type.group}/${type.kind}`) {
    case '/Namespace':
      defaultNamespace(obj);
      break;
    case '/Secret':
      defaultSecret(obj);
      break;
    case '/Service':
      defaultService(obj, live, ctx);
      break;
    case 'apps/Deployment':
    case 'apps/StatefulSet':
      defaultWorkload(obj);
      break;
  }
}
