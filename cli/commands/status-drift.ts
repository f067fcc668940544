// The DRIFT section of `sluice status`: per target, what its last reconcile found edited or deleted by hand
// and corrected, and the fields it took over from other field managers (paths only, never values).
import { describeConflicts, describeDrift } from '../../shared/core/apply/drift.ts';
import type { StatusView } from '../../shared/usecases/read-status.ts';

type TargetView = StatusView['clusters'][number]['kustomizations'][number];

export function driftLines(targets: TargetView[]): string[] {
  return targets.flatMap((k) => {
    const name = `${k.kind && k.kind !== 'Kustomization' ? `${k.kind}/` : ''}${k.namespace}/${k.name}`;
    const apply = k.apply;
    if (!apply) return [];
    return [
      ...(apply.drift ? [`  ${name}: ${describeDrift(apply.drift)} (at ${apply.at})`] : []),
      ...(apply.conflicts?.length
        ? [`  ${name}: ${describeConflicts(apply.conflicts)} (at ${apply.at})`]
        : []),
    ];
  });
}
