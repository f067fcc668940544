// Use-case: a push webhook. Verify the HMAC signature, find every source fetching that repository, and
// enqueue a fetch for each; answer fast, never fetch inline. A delivery is identified by the digest of its
// signed body, so a replayed delivery is queued once.
import { createHash } from 'node:crypto';
import { SluiceError } from '../core/errors.ts';
import { HttpError } from '../core/http-error.ts';
import { verifyHmacSignature } from '../core/pipeline/webhook-signature.ts';
import { enqueueFetch } from './enqueue.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import type { RollbackQueued } from './queue-rollback.ts';
import { rollbackFromWebhook } from './rollback-request.ts';
import { stateOf } from './state-store.ts';

export interface WebhookRequest {
  body: Uint8Array;
  signature: string | undefined;
  /** The secret shared with the Git host: pushes and `sluice reconcile source`. */
  secret: string;
  /**
   * The secret that `sluice rollback` signs with, held by the operators and not by the Git host; absent, no
   * rollback is taken through the webhook.
   */
  rollbackSecret?: string | undefined;
}

export interface WebhookResult {
  repository: string;
  sources: number;
  /** A rollback was asked for and queued (the body named `rollback`). */
  rollback?: RollbackQueued;
}

/** Accepts GitHub/Gitea/generic payloads: `repository.clone_url|html_url|url`, or a top-level `repository`/`url`. */
export async function handleWebhook(deps: PipelineDeps, req: WebhookRequest): Promise<WebhookResult> {
  const byGitHost = verifyHmacSignature(req.body, req.secret, req.signature);
  const byOperator =
    req.rollbackSecret !== undefined && verifyHmacSignature(req.body, req.rollbackSecret, req.signature);
  if (!byGitHost && !byOperator) {
    throw new HttpError(
      401,
      'WebhookRejected',
      'webhook signature missing or invalid: send X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body with the webhook secret>',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(req.body).toString('utf8'));
  } catch {
    throw new SluiceError('WebhookRejected', 'webhook body is not JSON; send {"repository": "<clone URL>"}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SluiceError(
      'WebhookRejected',
      'webhook body is not a JSON object; send {"repository": "<clone URL>"}',
    );
  }
  const payload = parsed as Record<string, unknown>;
  // `sluice rollback` against a control plane it reaches only through its webhook (the cloud). The webhook
  // secret is the Git host's: it may announce pushes, not put an older artifact back on a cluster.
  if (payload.rollback !== undefined) {
    if (!byOperator) throw rollbackRefused(req);
    return rollbackFromWebhook(deps, payload, digest(req.body));
  }
  if (!byGitHost)
    throw new HttpError(
      403,
      'WebhookRejected',
      'a body signed with the rollback secret may only ask for a rollback; sign pushes and source reconciles with the webhook secret',
    );
  // `sluice reconcile source oci|helm|chart|bucket` names the sources themselves (their keys from the status view).
  if (Array.isArray(payload.sources)) return fetchNamedSources(deps, payload.sources, digest(req.body));
  const repo = payload.repository;
  const urls = [
    typeof repo === 'string' ? repo : undefined,
    ...(typeof repo === 'object' && repo !== null
      ? ['clone_url', 'html_url', 'url', 'git_http_url', 'ssh_url'].map(
          (k) => (repo as Record<string, unknown>)[k],
        )
      : []),
    payload.url,
  ].filter((u): u is string => typeof u === 'string' && u !== '');
  if (urls.length === 0) {
    throw new SluiceError(
      'WebhookRejected',
      'webhook body names no repository; send {"repository": "<clone URL>"}',
    );
  }
  const wanted = new Set(urls.map(normalizeRepoUrl));
  // Only the body is signed: a delivery-id header (X-GitHub-Delivery, …) could be changed on a replay, so
  // the id is the body's digest. Providers' bodies differ per event (commit ids, timestamps); a generic
  // sender adds something unique (`sluice reconcile` sends a request id).
  const delivery = digest(req.body);
  let sources = 0;
  for (const spec of await stateOf(deps).listFetchSpecs()) {
    if (!wanted.has(normalizeRepoUrl(spec.url))) continue;
    // The delivery's id (or the signed body's digest) is the occasion: a replayed delivery is queued once.
    await enqueueFetch(deps, spec.sourceKey, 'webhook', delivery);
    sources++;
  }
  return { repository: urls[0] as string, sources };
}

/** Each named source that exists is fetched; unknown keys are counted out, never created. */
async function fetchNamedSources(
  deps: PipelineDeps,
  keys: unknown[],
  delivery: string,
): Promise<WebhookResult> {
  const wanted = keys
    .filter((k): k is string => typeof k === 'string' && /^[0-9a-f]{24}$/.test(k))
    .slice(0, 100);
  if (wanted.length === 0) {
    throw new SluiceError(
      'WebhookRejected',
      'webhook body names no source key; send {"sources": ["<sourceKey>"]}',
    );
  }
  let sources = 0;
  for (const key of new Set(wanted)) {
    if (!(await stateOf(deps).getFetchSpec(key))) continue;
    await enqueueFetch(deps, key, 'webhook', delivery);
    sources++;
  }
  return { repository: wanted.join(', '), sources };
}

function digest(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Same repository whatever the spelling: no credentials, no `.git`, no trailing slash, host lower-case. */
export function normalizeRepoUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, '').replace(/\.git$/, '')}`;
  } catch {
    return url.replace(/\/+$/, '').replace(/\.git$/, '');
  }
}

function rollbackRefused(req: WebhookRequest): HttpError {
  return new HttpError(
    403,
    'WebhookRejected',
    req.rollbackSecret
      ? 'a rollback must be signed with the rollback secret, not the webhook secret (the Git host holds that one): set SLUICE_ROLLBACK_SECRET for sluice rollback'
      : 'rollbacks through the webhook are off: no rollback secret is configured (sst secret set RollbackSecret <value>, then set SLUICE_ROLLBACK_SECRET for sluice rollback)',
  );
}
