// A suspended target (`spec.suspend: true`, carried signed in the artifact's apply options): as Flux, nothing
// is applied, pruned or corrected and what was applied stays; the status says Suspended. Reported once per
// suspension (the inventory remembers it), not at every pass; the next artifact without it resumes.
import type { ArtifactPayload } from '../../core/artifact/artifact.ts';
import type { ApplyReport } from '../../core/pipeline/jobs.ts';
import { targetKey } from '../../core/pipeline/target.ts';
import { writeInventory } from './inventory-store.ts';
import type { TargetContext } from './target-context.ts';

export async function suspendTarget(
  ctx: TargetContext,
  payload: ArtifactPayload,
): Promise<ApplyReport | undefined> {
  const { deps, previous, target, ready } = ctx;
  // Readiness for dependsOn stays what the last apply left (Flux keeps the Ready condition of a suspended one).
  const applied = previous !== undefined && !previous.removed && previous.digest !== '';
  ready.set(targetKey(target), applied);
  if (previous?.suspended === ctx.digest) return undefined;
  await writeInventory(deps, {
    ...(previous ?? {
      target,
      digest: '',
      revision: '',
      appliedAt: new Date(0).toISOString(),
      entries: [],
    }),
    suspended: ctx.digest,
  });
  const kept = applied ? `revision ${previous.revision} stays applied` : 'nothing was applied before';
  return ctx.report({
    revision: applied ? previous.revision : payload.source.revision,
    ready: applied,
    reason: 'Suspended',
    message: `reconciliation is suspended (spec.suspend: true): ${kept}; nothing is applied, pruned or corrected until it is resumed`,
    suspended: true,
  });
}
