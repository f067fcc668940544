// Simulated controllers that fill in .status synchronously on each main-resource write so health checks
// can pass: Namespace phase, CRD Established/NamesAccepted, Deployment and StatefulSet rollout status.

import { createHash } from 'node:crypto';
import { isMap, type JsonMap } from './json.ts';
import type { ResourceType } from './resources.ts';
import { type KubeObject, timestamp } from './types.ts';

export interface ControllerOptions {
  /** When false, Deployments/StatefulSets report zero ready replicas and Available=False. */
  workloadsReady: boolean;
}

interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

function conditions(live: KubeObject | undefined, wanted: Condition[], withUpdateTime: boolean): JsonMap[] {
  const previous =
    live && isMap(live.status) && Array.isArray(live.status.conditions) ? live.status.conditions : [];
  const now = timestamp();
  return wanted.map((c) => {
    const old = previous.find((p) => isMap(p) && p.type === c.type);
    const sameStatus = isMap(old) && old.status === c.status;
    const unchanged = sameStatus && old.reason === c.reason && old.message === c.message;
    const since = sameStatus ? String(old.lastTransitionTime) : now;
    const updated = unchanged && old.lastUpdateTime ? String(old.lastUpdateTime) : now;
    return { ...c, ...(withUpdateTime ? { lastUpdateTime: updated } : {}), lastTransitionTime: since };
  });
}

function replicas(obj: KubeObject): number {
  const spec = isMap(obj.spec) ? obj.spec : {};
  return typeof spec.replicas === 'number' ? spec.replicas : 1;
}

function deploymentStatus(obj: KubeObject, live: KubeObject | undefined, ready: boolean): JsonMap {
  const n = replicas(obj);
  const counts = ready
    ? { replicas: n, updatedReplicas: n, readyReplicas: n, availableReplicas: n }
    : { replicas: n, updatedReplicas: n, unavailableReplicas: n };
  return {
    observedGeneration: obj.metadata.generation ?? 1,
    ...counts,
    conditions: conditions(
      live,
      [
        ready
          ? {
              type: 'Available',
              status: 'True',
              reason: 'MinimumReplicasAvailable',
              message: 'Deployment has minimum availability.',
            }
          : {
              type: 'Available',
              status: 'False',
              reason: 'MinimumReplicasUnavailable',
              message: 'Deployment does not have minimum availability.',
            },
        ready
          ? {
              type: 'Progressing',
              status: 'True',
              reason: 'NewReplicaSetAvailable',
              message: `ReplicaSet "${obj.metadata.name}" has successfully progressed.`,
            }
          : {
              type: 'Progressing',
              status: 'True',
              reason: 'ReplicaSetUpdated',
              message: `ReplicaSet "${obj.metadata.name}" is progressing.`,
            },
      ],
      true,
    ),
  };
}

function statefulSetStatus(obj: KubeObject, ready: boolean): JsonMap {
  const n = replicas(obj);
  const spec = isMap(obj.spec) ? obj.spec : {};
  const revision = `${obj.metadata.name}-${createHash('sha256')
    .update(JSON.stringify(spec.template ?? {}))
    .digest('hex')
    .slice(0, 10)}`;
  return {
    observedGeneration: obj.metadata.generation ?? 1,
    replicas: n,
    readyReplicas: ready ? n : 0,
    currentReplicas: n,
    updatedReplicas: n,
    availableReplicas: ready ? n : 0,
    currentRevision: revision,
    updateRevision: revision,
    collisionCount: 0,
  };
}

function crdStatus(obj: KubeObject, live: KubeObject | undefined): JsonMap {
  const spec = isMap(obj.spec) ? obj.spec : {};
  const names = isMap(spec.names) ? spec.names : {};
  const kind = String(names.kind ?? '');
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isMap) : [];
  const storage = versions.find((v) => v.storage === true)?.name;
  const liveStatus = live && isMap(live.status) ? live.status : {};
  const stored = Array.isArray(liveStatus.storedVersions) ? liveStatus.storedVersions.map(String) : [];
  if (typeof storage === 'string' && !stored.includes(storage)) stored.push(storage);
  return {
    conditions: conditions(
      live,
      [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
        },
      ],
      false,
    ),
    acceptedNames: {
      ...names,
      singular: names.singular ?? kind.toLowerCase(),
      listKind: names.listKind ?? `${kind}List`,
    },
    storedVersions: stored,
  };
}

/**
 * Jobs run to completion at once. A Job annotated `JOB_OUTCOME_ANNOTATION: Failed` fails (BackoffLimitExceeded)
 * and one annotated `Running` never finishes: how tests make a Helm hook fail or time out.
 */
export const JOB_OUTCOME_ANNOTATION = 'kube-api-server.test/job-outcome';

function jobStatus(obj: KubeObject, live: KubeObject | undefined): JsonMap {
  const outcome = obj.metadata.annotations?.[JOB_OUTCOME_ANNOTATION];
  const started =
    live && isMap(live.status) && live.status.startTime ? String(live.status.startTime) : timestamp();
  if (outcome === 'Running') return { startTime: started, active: 1 };
  const failed = outcome === 'Failed';
  const terminal: Condition = failed
    ? {
        type: 'Failed',
        status: 'True',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      }
    : {
        type: 'Complete',
        status: 'True',
        reason: 'CompletionsReached',
        message: 'Reached expected number of succeeded pods',
      };
  return {
    startTime: started,
    ...(failed ? { failed: 1 } : { succeeded: 1, completionTime: timestamp() }),
    conditions: conditions(live, [terminal], false),
  };
}

/** Sets `.status` on `obj` as the relevant controller would soon after a main-resource write. */
export function reconcileStatus(
  type: ResourceType,
  obj: KubeObject,
  live: KubeObject | undefined,
  options: ControllerOptions,
): void {
  if (type.crd) return;
  switch (`${type.group}/${type.kind}`) {
    case '/Namespace':
      obj.status = { phase: 'Active' };
      return;
    case 'apiextensions.k8s.io/CustomResourceDefinition':
      obj.status = crdStatus(obj, live);
      return;
    case 'apps/Deployment':
      obj.status = deploymentStatus(obj, live, options.workloadsReady);
      return;
    case 'apps/StatefulSet':
      obj.status = statefulSetStatus(obj, options.workloadsReady);
      return;
    case 'batch/Job':
      obj.status = jobStatus(obj, live);
      return;
  }
}
