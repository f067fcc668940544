// A ResourceSet or input provider as sluice check reports it: the expansion's own verdict (expand-resource-sets
// reports one per object) carried into the fields of FluxObjectFound that the classifier reads.
import type { ResourceSetReport } from '../resourceset/expand-resource-sets.ts';
import type { FluxObjectFound } from './flux-object-found.ts';

export function resourceSetFound(
  report: ResourceSetReport,
): Pick<FluxObjectFound, 'handling' | 'differences' | 'notes'> & Partial<FluxObjectFound> {
  switch (report.verdict) {
    case 'delivered':
      return { handling: 'declared', differences: [], notes: report.reason ? [report.reason] : [] };
    case 'different':
      return { handling: 'declared', differences: [report.reason], notes: [] };
    case 'unsupported':
      return { handling: 'skipped', skippedBecause: report.reason, differences: [], notes: [] };
    case 'error':
      return { handling: 'declared', failure: report.reason, differences: [], notes: [] };
  }
}
