// kstatus' Compute: the generic rules, then the kind's own, then a Ready condition, else Current. A field of
// the wrong type or a Pod phase it does not know makes the status Unknown, as kstatus' error does.
import type { KubeObject } from '../render/yaml-codec.ts';
import { alwaysReady, podDisruptionBudgetStatus } from './always-ready-status.ts';
import { customResourceDefinitionStatus } from './crd-status.ts';
import { daemonSetStatus } from './daemon-set-status.ts';
import { deploymentStatus } from './deployment-status.ts';
import { genericStatus, readyConditionStatus } from './generic-status.ts';
import { groupKindKey, groupOf } from './group-kind.ts';
import type { HealthResult } from './health-result.ts';
import { jobStatus } from './job-status.ts';
import { MalformedObject } from './object-fields.ts';
import { podStatus } from './pod-status.ts';
import { persistentVolumeClaimStatus } from './pvc-status.ts';
import { replicaSetStatus } from './replica-set-status.ts';
import { serviceStatus } from './service-status.ts';
import { statefulSetStatus } from './stateful-set-status.ts';

export interface StatusContext {
  /** Milliseconds since the epoch (a Pod's scheduling grace window is measured against it). */
  now: number;
}

export type KindRule = (obj: KubeObject, ctx: StatusContext) => HealthResult;

/** kstatus' legacyTypes, by `group/Kind`. */
const KIND_RULES: Record<string, KindRule> = {
  Service: serviceStatus,
  Pod: (obj, ctx) => podStatus(obj, ctx.now),
  Secret: alwaysReady,
  PersistentVolumeClaim: persistentVolumeClaimStatus,
  'apps/StatefulSet': statefulSetStatus,
  'apps/DaemonSet': daemonSetStatus,
  'extensions/DaemonSet': daemonSetStatus,
  'apps/Deployment': deploymentStatus,
  'extensions/Deployment': deploymentStatus,
  'apps/ReplicaSet': replicaSetStatus,
  'extensions/ReplicaSet': replicaSetStatus,
  'policy/PodDisruptionBudget': podDisruptionBudgetStatus,
  'batch/CronJob': alwaysReady,
  ConfigMap: alwaysReady,
  'batch/Job': jobStatus,
  'apiextensions.k8s.io/CustomResourceDefinition': customResourceDefinitionStatus,
};

export function kindRuleOf(obj: KubeObject): KindRule | undefined {
  return KIND_RULES[groupKindKey(groupOf(String(obj.apiVersion ?? '')), String(obj.kind ?? ''))];
}

/** The status of a live object with kstatus' rules; `kindRule` replaces the kind's own rule (Flux's Job rule). */
export function computeStatus(obj: KubeObject, ctx: StatusContext, kindRule?: KindRule): HealthResult {
  try {
    const generic = genericStatus(obj);
    if (generic) return generic;
    const rule = kindRule ?? kindRuleOf(obj);
    if (rule) return rule(obj, ctx);
    return readyConditionStatus(obj) ?? { status: 'Current', message: 'Resource is current' };
  } catch (err) {
    if (err instanceof MalformedObject) return { status: 'Unknown', message: err.message };
    throw err;
  }
}
