// `sluice rollback CLUSTER/[NAMESPACE/]NAME --to DIGEST [--reason TEXT]`: put an earlier artifact of a
// target back, signed anew as its newest record; without --to, list the artifacts it may go back to.
import { randomUUID } from 'node:crypto';
import { SluiceError } from '../../shared/core/errors.ts';
import type { TargetKind } from '../../shared/core/pipeline/target.ts';
import { signBody } from '../../shared/core/pipeline/webhook-signature.ts';
import type { RestorableArtifact } from '../../shared/usecases/list-restorable.ts';
import type { RollbackQueued } from '../../shared/usecases/queue-rollback.ts';
import type { FoundControlPlane } from '../control-plane-context.ts';
import type { ArtifactRef } from './get-artifact.ts';
import { fetchStatus } from './status.ts';

export interface RollbackOptions {
  ref: ArtifactRef;
  kind: TargetKind;
  /** Absent: list the target's artifacts instead. */
  to?: string;
  reason?: string;
  /** How long to wait for the index to point at the rollback (default 30 s); 0: do not wait. */
  waitMs?: number;
}

export async function rollback(plane: FoundControlPlane, opts: RollbackOptions): Promise<string> {
  const { ref, kind } = opts;
  const named = `${ref.cluster}/${ref.namespace}/${ref.name}`;
  // The API token first (the embedded control plane); else the signed webhook (the cloud has no other door).
  const token = plane.apiToken();
  if (!opts.to) {
    if (!token)
      throw new SluiceError(
        'UsageError',
        `listing artifacts needs the control plane's API token (pass --data-dir DIR or set SLUICE_API_TOKEN); or name one with --to DIGEST`,
      );
    const query = new URLSearchParams({ kind, ...ref });
    const { artifacts } = (await call(plane, `/api/rollback?${query}`, { token })) as {
      artifacts: RestorableArtifact[];
    };
    return listing(named, artifacts);
  }
  const ask = {
    cluster: ref.cluster,
    kind,
    namespace: ref.namespace,
    name: ref.name,
    to: opts.to,
    ...(opts.reason && { reason: opts.reason }),
  };
  const queued = token
    ? ((await call(plane, '/api/rollback', { token, body: JSON.stringify(ask) })) as RollbackQueued)
    : await viaWebhook(plane, ask);
  const out = [
    queued.revision
      ? `► rollback of ${named} to ${queued.revision} (${queued.to}) queued`
      : `► rollback of ${named} to ${queued.to} queued (checked when it runs: a refused one is dead-lettered with why)`,
  ];
  const landed = await waitForIndex(plane, queued, opts.waitMs ?? 30_000);
  out.push(
    landed
      ? `✔ ${named} now publishes ${landed} (the content of ${queued.to}, signed as its newest artifact); follow the apply with: sluice status`
      : '  follow with: sluice status',
  );
  return `${out.join('\n')}\n`;
}

function listing(named: string, artifacts: RestorableArtifact[]): string {
  if (artifacts.length === 0) return `no stored artifacts of ${named}\n`;
  const rows = artifacts.map((a) => [
    a.digest,
    a.revision,
    a.current ? 'current' : '',
    a.rollbackTo ? `rollback to ${a.rollbackTo.slice(0, 19)}` : '',
  ]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] as string).length), 8));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i < 3 ? c.padEnd(widths[i] as number) : c))
      .join('  ')
      .trimEnd();
  return `${[line(['DIGEST', 'REVISION', 'CURRENT', 'NOTE']), ...rows.map(line)].join('\n')}\nroll back with: sluice rollback ${named} --to DIGEST\n`;
}

async function call(
  plane: FoundControlPlane,
  path: string,
  opts: { token: string; body?: string },
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${plane.apiUrl}${path}`, {
      method: opts.body === undefined ? 'GET' : 'POST',
      signal: AbortSignal.timeout(30_000),
      headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' },
      ...(opts.body !== undefined && { body: opts.body }),
    });
  } catch (err) {
    throw new SluiceError(
      'UsageError',
      `could not reach the control plane at ${plane.apiUrl} (from ${plane.from}: ${(err as Error).message}); start it with npm start, or pass --api URL`,
    );
  }
  return answerOf(plane, res);
}

async function viaWebhook(
  plane: FoundControlPlane,
  rollback: Record<string, string>,
): Promise<RollbackQueued> {
  // The rollback secret, not the webhook secret: the control plane takes no rollback signed by the Git host's.
  const secret = plane.rollbackSecret();
  // Signed with the time: the control plane refuses the body again after a few minutes (a replay).
  const body = JSON.stringify({ rollback, at: new Date().toISOString(), requestId: randomUUID() });
  let res: Response;
  try {
    res = await fetch(`${plane.apiUrl}/hooks/generic`, {
      method: 'POST',
      signal: AbortSignal.timeout(30_000),
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, secret) },
      body,
    });
  } catch (err) {
    throw new SluiceError(
      'UsageError',
      `could not reach the control plane at ${plane.apiUrl} (from ${plane.from}: ${(err as Error).message})`,
    );
  }
  const answer = (await answerOf(plane, res)) as { rollback?: RollbackQueued };
  if (!answer.rollback)
    throw new SluiceError(
      'UsageError',
      `the control plane at ${plane.apiUrl} does not know rollbacks; upgrade it`,
    );
  return answer.rollback;
}

async function answerOf(plane: FoundControlPlane, res: Response): Promise<unknown> {
  const body = (await res.json().catch(() => ({}))) as { error?: string; code?: string };
  if (res.status === 401)
    throw new SluiceError(
      'UsageError',
      `the control plane at ${plane.apiUrl} refused the credentials: pass --data-dir DIR (its data directory, holding api-token) or set SLUICE_API_TOKEN`,
    );
  if (!res.ok) {
    const code =
      body.code === 'ReferenceNotFound' || body.code === 'ArtifactRejected' ? body.code : 'UsageError';
    throw new SluiceError(
      code,
      body.error ?? `the control plane at ${plane.apiUrl} answered HTTP ${res.status}`,
    );
  }
  return body;
}

/** The digest the index points at once the rollback job ran; undefined when it did not within `waitMs`. */
async function waitForIndex(
  plane: FoundControlPlane,
  queued: RollbackQueued,
  waitMs: number,
): Promise<string | undefined> {
  const until = Date.now() + waitMs;
  while (waitMs > 0 && Date.now() < until) {
    const view = await fetchStatus(plane).catch(() => undefined);
    const entry = view?.clusters
      .find((c) => c.name === queued.cluster)
      ?.kustomizations.find(
        (k) =>
          (k.kind ?? 'Kustomization') === queued.target.kind &&
          k.namespace === queued.target.namespace &&
          k.name === queued.target.name,
      )?.artifact;
    if (entry?.rollback?.to === queued.to && entry.digest) return entry.digest;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}
