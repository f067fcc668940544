// The puller's metrics and health in one place: it records what the loop and the reconciles report (the
// PullerMetrics port) into a registry, keeps the loop marks the probes judge, and renders /metrics.
import { familyHeader, sampleLine } from '../../core/metrics/exposition.ts';
import { MetricRegistry } from '../../core/metrics/metric-registry.ts';
import {
  type HealthPolicy,
  healthPolicy,
  type LoopMarks,
  liveness,
  readiness,
  type Verdict,
} from '../../core/pipeline/puller-health.ts';
import type { Target } from '../../core/pipeline/target.ts';
import type { Clock } from '../../ports/clock.ts';
import type { PullerMetrics, ReconcileOutcome } from '../../ports/puller-metrics.ts';

/** Read at scrape time by the HTTP adapter (process.memoryUsage, process.cpuUsage). */
export interface ProcessReading {
  residentBytes: number;
  heapUsedBytes: number;
  cpuSeconds: number;
}

const TARGET_LABELS = ['kind', 'namespace', 'name'] as const;
/** From a no-op re-apply (tens of ms) to a long health wait (spec.timeout, minutes). */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export class PullerTelemetry implements PullerMetrics {
  readonly policy: HealthPolicy;
  private readonly marks: LoopMarks;
  private readonly registry = new MetricRegistry();
  private readonly reconciles = this.registry.counter(
    'sluice_puller_reconcile_total',
    'Reconciles of a target, by result (ready or not_ready) and Flux reason.',
    [...TARGET_LABELS, 'result', 'reason'],
  );
  private readonly durations = this.registry.histogram(
    'sluice_puller_reconcile_duration_seconds',
    "How long a target's reconcile took (verify, apply, prune, wait).",
    TARGET_LABELS,
    DURATION_BUCKETS,
  );
  private readonly drift = this.registry.counter(
    'sluice_puller_drift_corrections_total',
    'Objects found drifted from their artifact and corrected.',
    TARGET_LABELS,
  );
  private readonly lastSuccess = this.registry.gauge(
    'sluice_puller_last_success_timestamp_seconds',
    'When the target last reconciled to Ready (Unix time).',
    TARGET_LABELS,
  );
  private readonly lag = this.registry.gauge(
    'sluice_puller_queue_lag_seconds',
    'How long the oldest nudge of the latest round waited in the queue (0: none was waiting).',
  );
  private readonly passes = this.registry.histogram(
    'sluice_puller_pass_duration_seconds',
    'How long a pass over the index took: full (start-up, each interval) or nudge (the targets named).',
    ['pass'],
    DURATION_BUCKETS,
  );
  private readonly lastFullPass = this.registry.gauge(
    'sluice_puller_last_full_pass_timestamp_seconds',
    'When the latest full pass over the index completed (Unix time).',
  );
  private readonly failures = this.registry.counter(
    'sluice_puller_loop_failures_total',
    'Rounds of the loop that failed (store, queue or API server unreachable) and were retried.',
  );

  private readonly clock: Clock;

  constructor(clock: Clock, opts: { intervalMs: number }) {
    this.clock = clock;
    this.policy = healthPolicy(opts.intervalMs);
    const now = clock.now();
    this.marks = { startedAt: now, lastProgressAt: now };
    // Unlabelled series exist from the start, so a rate() over them has a zero to begin with.
    this.lag.set({}, 0);
    this.failures.inc({}, 0);
  }

  reconciled(target: Target, outcome: ReconcileOutcome, seconds: number): void {
    const labels = targetLabels(target);
    this.reconciles.inc({
      ...labels,
      result: outcome.ready ? 'ready' : 'not_ready',
      reason: outcome.reason,
    });
    this.durations.observe(labels, seconds);
    if (outcome.ready) this.lastSuccess.set(labels, this.clock.now() / 1000);
    this.heartbeat();
  }

  driftCorrected(target: Target, objects: number): void {
    if (objects > 0) this.drift.inc(targetLabels(target), objects);
  }

  queueLag(seconds: number): void {
    this.lag.set({}, Math.max(0, seconds));
  }

  passCompleted(full: boolean, seconds: number): void {
    this.passes.observe({ pass: full ? 'full' : 'nudge' }, seconds);
    const now = this.clock.now();
    if (full) {
      this.marks.lastFullPassAt = now;
      this.lastFullPass.set({}, now / 1000);
    }
    this.marks.lastProgressAt = now;
  }

  passFailed(): void {
    this.failures.inc();
    const now = this.clock.now();
    this.marks.lastFailureAt = now;
    this.marks.lastProgressAt = now;
  }

  heartbeat(): void {
    this.marks.lastProgressAt = this.clock.now();
  }

  forget(target: Target): void {
    this.registry.forget(targetLabels(target));
  }

  liveness(): Verdict {
    return liveness(this.marks, this.clock.now(), this.policy);
  }

  readiness(): Verdict {
    return readiness(this.marks, this.clock.now(), this.policy);
  }

  /** The text exposition: the puller's own families, then the process's (standard names). */
  exposition(process: ProcessReading): string {
    const lines = [
      ...familyHeader('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.'),
      sampleLine('process_resident_memory_bytes', {}, process.residentBytes),
      ...familyHeader('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap in use, in bytes.'),
      sampleLine('nodejs_heap_size_used_bytes', {}, process.heapUsedBytes),
      ...familyHeader('process_cpu_seconds_total', 'counter', 'User and system CPU time spent, in seconds.'),
      sampleLine('process_cpu_seconds_total', {}, process.cpuSeconds),
      ...familyHeader('process_start_time_seconds', 'gauge', 'Start time of the process (Unix time).'),
      sampleLine('process_start_time_seconds', {}, Math.floor(this.marks.startedAt / 1000)),
    ];
    return `${this.registry.exposition()}${lines.join('\n')}\n`;
  }
}

function targetLabels(target: Target): Record<(typeof TARGET_LABELS)[number], string> {
  return { kind: target.kind, namespace: target.namespace, name: target.name };
}
