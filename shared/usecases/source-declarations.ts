// Use-case step: read every declaration of a source from the store and add them up (see
// core/pipeline/source-declarations.ts): for the schedule, the status view and messages.
import type { FetchSpec } from '../core/pipeline/records.ts';
import { mergeDeclarations, type SourceDeclarations } from '../core/pipeline/source-declarations.ts';
import type { StateStore } from './state-store.ts';

export async function loadDeclarations(state: StateStore, spec: FetchSpec): Promise<SourceDeclarations> {
  return mergeDeclarations(spec, await state.listDeclarers(spec.sourceKey));
}
