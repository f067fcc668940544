// The schemas of the records kept per target (index entry, render status, apply status). Their target is
// where they live in the store: target-records.ts sets it from the key before checking.
import type { ApplyReport } from './jobs.ts';
import {
  fieldProblem,
  isBoolean,
  isNumber,
  isObject,
  isString,
  isStringArray,
  type RecordSchema,
} from './record-codec.ts';
import type { IndexEntry, RenderStatus } from './records.ts';

const isObjectArray = (v: unknown) => Array.isArray(v) && v.every(isObject);

/** Records written before targets named `kustomization: {namespace, name}`; the key names the target now. */
const dropKustomization = ({ kustomization: _earlier, ...rest }: Record<string, unknown>) => rest;

export const indexEntrySchema: RecordSchema<IndexEntry> = {
  name: 'index entry',
  migrate: dropKustomization,
  problem(v) {
    const generation = v.generation as Record<string, unknown> | undefined;
    return (
      fieldProblem(v, {
        target: isObject,
        generation: isObject,
        'sequence?': isNumber,
        revision: isString,
        renderKey: isString,
        publishedAt: isString,
        'digest?': isString,
        'artifactKey?': isString,
        'deleted?': isBoolean,
        'rollback?': isObject,
      }) ??
      (generation && fieldProblem(generation, { fleet: isNumber, source: isNumber }))
    );
  },
};

export const renderStatusSchema: RecordSchema<RenderStatus> = {
  name: 'render status',
  migrate: dropKustomization,
  problem: (v) =>
    fieldProblem(v, {
      target: isObject,
      ready: isBoolean,
      reason: isString,
      message: isString,
      'revision?': isString,
      'digest?': isString,
      warnings: isStringArray,
      'fluxObjects?': isObjectArray,
      'retryable?': isBoolean,
      at: isString,
    }),
};

export const applyStatusSchema: RecordSchema<ApplyReport> = {
  name: 'apply status',
  migrate: dropKustomization,
  problem: (v) =>
    fieldProblem(v, {
      target: isObject,
      cluster: isString,
      digest: isString,
      revision: isString,
      ready: isBoolean,
      reason: isString,
      message: isString,
      applied: isNumber,
      pruned: isNumber,
      at: isString,
      'lastAttemptedRevision?': isString,
      'lastAppliedRevision?': isString,
      'inventory?': isNumber,
      'stalled?': isBoolean,
    }),
};
