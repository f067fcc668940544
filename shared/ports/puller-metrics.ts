// Port: what the puller tells about its own work (reconciles, drift corrections, queue lag, passes), so the
// reconcile use-case can report it without knowing how it is exposed (puller/main.ts serves it over HTTP).
import type { Target } from '../core/pipeline/target.ts';

export interface ReconcileOutcome {
  ready: boolean;
  /** The Flux reason of the target's status (ReconciliationSucceeded, HealthCheckFailed, …). */
  reason: string;
}

export interface PullerMetrics {
  /** One target's reconcile ended after `seconds` (also proof that the loop is making progress). */
  reconciled(target: Target, outcome: ReconcileOutcome, seconds: number): void;
  /** `objects` objects of `target` had drifted from the artifact and were corrected. */
  driftCorrected(target: Target, objects: number): void;
  /** How long the oldest nudge of a round waited in the queue (0 when none was waiting). */
  queueLag(seconds: number): void;
  /** A pass ended. `full`: the whole index, read from the store, with the API server answering. */
  passCompleted(full: boolean, seconds: number): void;
  /** A round of the loop failed (store, queue or API server unreachable); it is retried with backoff. */
  passFailed(): void;
  /** The loop is alive and not wedged: called at least once per round. */
  heartbeat(): void;
  /** The target is gone (tombstone applied): its series go too. */
  forget(target: Target): void;
}

/** For callers that report nothing (tests, the embedded control plane's puller). */
export const noPullerMetrics: PullerMetrics = {
  reconciled() {},
  driftCorrected() {},
  queueLag() {},
  passCompleted() {},
  passFailed() {},
  heartbeat() {},
  forget() {},
};
