// kstatus' Pod rule: a finished Pod is Current whatever its outcome; a running one is Current when Ready and
// Failed when a container crash-loops; a Pending one is Failed once unschedulable past a grace window.
import type { KubeObject } from '../render/yaml-codec.ts';
import { current, failed, type HealthResult, inProgress } from './health-result.ts';
import { conditionsOf, conditionWithStatus, MalformedObject, stringField } from './object-fields.ts';

/** How long a Pod may stay unscheduled before it is reported as unschedulable (kstatus' ScheduleWindow). */
export const SCHEDULE_WINDOW_MS = 15_000;

/** `now`: the caller's clock (ms since the epoch), compared with the Pod's creationTimestamp. */
export function podStatus(obj: KubeObject, now: number): HealthResult {
  const conditions = conditionsOf(obj);
  const phase = stringField(obj, 'status.phase', '');
  switch (phase) {
    case 'Succeeded':
      return current('Pod has completed successfully');
    case 'Failed':
      return current('Pod has completed, but not successfully');
    case 'Running': {
      if (conditionWithStatus(conditions, 'Ready', 'True')) return current('Pod is Ready');
      const looping = crashLoopingContainers(obj);
      if (looping.length > 0)
        return failed('ContainerCrashLooping', `Containers in CrashLoop state: ${looping.join(',')}`);
      return inProgress('PodRunningNotReady', 'Pod is running but is not Ready');
    }
    case 'Pending': {
      const scheduled = conditionWithStatus(conditions, 'PodScheduled', 'False');
      if (scheduled?.reason === 'Unschedulable') {
        if (now - SCHEDULE_WINDOW_MS < createdAt(obj))
          return inProgress('PodNotScheduled', 'Pod has not been scheduled');
        return failed('PodUnschedulable', 'Pod could not be scheduled');
      }
      return inProgress('PodPending', 'Pod is in the Pending phase');
    }
    case '':
      // The kubelet has not reported on it yet.
      return inProgress('PodNotObserved', 'Pod phase not available');
    default:
      throw new MalformedObject(`unknown phase ${phase}`);
  }
}

/** A Pod without a creationTimestamp counts as created at the epoch, as Go's zero time does. */
function createdAt(obj: KubeObject): number {
  const parsed = Date.parse(stringField(obj, 'metadata.creationTimestamp', ''));
  return Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed;
}

function crashLoopingContainers(obj: KubeObject): string[] {
  const status = obj.status as Record<string, unknown> | undefined;
  const statuses = Array.isArray(status?.containerStatuses) ? status.containerStatuses : [];
  return statuses.flatMap((cs) => {
    const c = cs as { name?: unknown; state?: { waiting?: { reason?: unknown } } };
    return typeof c.name === 'string' && c.state?.waiting?.reason === 'CrashLoopBackOff' ? [c.name] : [];
  });
}
