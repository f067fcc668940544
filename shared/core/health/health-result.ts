// What a health rule concludes about one object: a kstatus status, a human message, and for InProgress and
// Failed the one-word reason of the Reconciling or Stalled condition kstatus would attach.

/** kstatus' statuses; NotFound is the poller's, for an object that is not in the cluster. */
export type HealthStatus = 'Current' | 'InProgress' | 'Failed' | 'Terminating' | 'NotFound' | 'Unknown';

export interface HealthResult {
  status: HealthStatus;
  message: string;
  /** CamelCase reason (kstatus' Reconciling/Stalled condition reason); absent for Current. */
  reason?: string;
}

export const current = (message: string): HealthResult => ({ status: 'Current', message });

export const inProgress = (reason: string, message: string): HealthResult => ({
  status: 'InProgress',
  message,
  reason,
});

export const failed = (reason: string, message: string): HealthResult => ({
  status: 'Failed',
  message,
  reason,
});
