// A rollback request as the HTTP API and the webhook receive it: `{cluster, kind?, namespace, name, to,
// reason?}`, checked field by field; through the webhook it also carries the time it was signed at.
import { SluiceError } from '../core/errors.ts';
import { HttpError } from '../core/http-error.ts';
import { isTargetKind, TARGET_KINDS } from '../core/pipeline/target.ts';
import type { WebhookResult } from './handle-webhook.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { queueRollback, type RollbackAsk, type RollbackQueued } from './queue-rollback.ts';

/** A signed rollback body older than this (or this far ahead of the clock) is refused: a replay. */
export const ROLLBACK_BODY_MAX_AGE_MS = 5 * 60_000;

/** The request's fields, or a 400 naming what is wrong. */
export function parseRollbackAsk(value: unknown, by: string): RollbackAsk {
  const bad = (why: string): never => {
    throw new HttpError(
      400,
      'UsageError',
      `rollback request ${why}; send {"cluster", "namespace", "name", "to": "<artifact digest>", "kind"?, "reason"?}`,
    );
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('is not an object');
  const v = value as Record<string, unknown>;
  const kind = v.kind ?? 'Kustomization';
  for (const field of ['cluster', 'namespace', 'name', 'to'])
    if (typeof v[field] !== 'string' || v[field] === '' || (v[field] as string).length > 253)
      bad(`has no valid ${field}`);
  if (!isTargetKind(kind)) bad(`has kind ${JSON.stringify(kind)}, not one of ${TARGET_KINDS.join(', ')}`);
  if (v.reason !== undefined && typeof v.reason !== 'string') bad('has a reason that is no string');
  return {
    cluster: v.cluster as string,
    target: {
      kind: kind as RollbackAsk['target']['kind'],
      namespace: v.namespace as string,
      name: v.name as string,
    },
    to: v.to as string,
    by,
    ...(typeof v.reason === 'string' && { reason: v.reason }),
  };
}

/**
 * `{"rollback": {...}, "at": "<ISO time>", "requestId": "..."}` through the signed webhook: the body's
 * digest names the request (a replay within the queue's deduplication window is queued once) and `at`
 * must be recent (a replay after it is refused). Checked by the job, not here (see queueRollback).
 */
export async function rollbackFromWebhook(
  deps: PipelineDeps,
  body: Record<string, unknown>,
  delivery: string,
): Promise<WebhookResult> {
  const at = typeof body.at === 'string' ? Date.parse(body.at) : Number.NaN;
  const now = deps.clock.now();
  if (!Number.isFinite(at) || now - at > ROLLBACK_BODY_MAX_AGE_MS || at - now > ROLLBACK_BODY_MAX_AGE_MS)
    throw new SluiceError(
      'WebhookRejected',
      'a rollback body needs "at", the time it was signed, within 5 minutes of the control plane\'s clock (an older body is taken for a replay)',
    );
  const rollback: RollbackQueued = await queueRollback(deps, {
    ...parseRollbackAsk(body.rollback, 'webhook'),
    occasion: delivery,
  });
  return { repository: '', sources: 0, rollback };
}
