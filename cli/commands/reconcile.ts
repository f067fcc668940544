// `sluice reconcile source git [NAME]`: like `flux reconcile source git`, ask the control plane to fetch
// a source now instead of at its next interval, by sending it a signed webhook.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SluiceError } from '../../shared/core/errors.ts';
import { signBody } from '../../shared/core/pipeline/webhook-signature.ts';
import type { StatusView } from '../../shared/usecases/read-status.ts';
import { statusAuthorization } from './status.ts';

export async function reconcileSource(apiUrl: string, dataDir: string, name: string): Promise<string> {
  const api = apiUrl.replace(/\/$/, '');
  const secret = process.env.SLUICE_WEBHOOK_SECRET ?? readSecret(dataDir);
  const view = (await (
    await fetch(`${api}/api/status`, { signal: AbortSignal.timeout(5000), headers: statusAuthorization() })
  ).json()) as StatusView;
  const source = view.sources.find(
    (s) =>
      s.declaredBy.startsWith(`GitRepository/flux-system/${name} `) ||
      s.declaredBy.startsWith(`GitRepository/${name} `),
  );
  if (!source) {
    const known = view.sources.map((s) => s.declaredBy).join(', ');
    throw new SluiceError('UsageError', `no GitRepository named ${name}; known sources: ${known || 'none'}`);
  }
  // A fresh id per request: the control plane drops a body it has already seen (a replayed delivery).
  const body = JSON.stringify({ repository: source.url, requestId: randomUUID() });
  const res = await fetch(`${api}/hooks/generic`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, secret) },
    body,
  });
  const answer = (await res.json()) as { sources?: number; error?: string };
  if (!res.ok)
    throw new SluiceError('UsageError', `the control plane refused: ${answer.error ?? res.status}`);
  return `► fetch requested for ${source.declaredBy} (${answer.sources} source${answer.sources === 1 ? '' : 's'}); follow with: npx sluice status\n`;
}

function readSecret(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, 'webhook-secret'), 'utf8').trim();
  } catch {
    throw new SluiceError(
      'UsageError',
      `no webhook secret in ${dataDir}; pass --data-dir or set SLUICE_WEBHOOK_SECRET`,
    );
  }
}
