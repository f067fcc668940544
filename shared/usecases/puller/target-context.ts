// What the steps of one target's reconcile share: the target, the verified record's digest and binding,
// what the cluster recorded last time, and how to phrase a report about it.
import type { AppliedMark } from '../../core/artifact/binding.ts';
import type { ApplyReport } from '../../core/pipeline/jobs.ts';
import type { Target } from '../../core/pipeline/target.ts';
import type { Inventory } from './inventory-store.ts';
import type { PullerDeps } from './puller-deps.ts';

export type ReportFields = Partial<ApplyReport> & Pick<ApplyReport, 'ready' | 'reason' | 'message'>;

export interface TargetContext {
  deps: PullerDeps;
  target: Target;
  /** Digest of the verified artifact or tombstone. */
  digest: string;
  /** Its digest, sequence, generation and signer, recorded with the inventory once acted upon. */
  mark: AppliedMark;
  now: string;
  previous: Inventory | undefined;
  /** Readiness by targetKey, for dependsOn. */
  ready: Map<string, boolean>;
  report(fields: ReportFields): ApplyReport;
  /** Aborted when a newer artifact for this target arrives: a wait in progress stops, nothing is reported. */
  signal?: AbortSignal;
}
