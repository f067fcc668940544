// Use-case step: read every declaration of a source from the store and add them up (see
// core/pipeline/source-declarations.ts): for the schedule, the status view and messages.
import type { FetchSpec, SourceDeclarer } from '../core/pipeline/records.ts';
import { mergeDeclarations, type SourceDeclarations } from '../core/pipeline/source-declarations.ts';
import { stateKeys } from '../core/pipeline/state-keys.ts';
import { getJson, type ObjectStore } from '../ports/object-store.ts';

export async function loadDeclarations(store: ObjectStore, spec: FetchSpec): Promise<SourceDeclarations> {
  const keys = await store.list(stateKeys.sourceDeclarers(spec.sourceKey));
  const records = await Promise.all(keys.map((key) => getJson<SourceDeclarer>(store, key)));
  // Withdrawn between the list and the read: no longer a declaration.
  return mergeDeclarations(
    spec,
    records.filter((r): r is SourceDeclarer => r !== undefined),
  );
}
