// `sluice reconcile source git|oci|helm|chart|bucket [NAME]`: like `flux reconcile source …`, ask the
// control plane to fetch a source now instead of at its next interval, by sending it a signed webhook naming
// its URL.
import { randomUUID } from 'node:crypto';
import { SluiceError } from '../../shared/core/errors.ts';
import type { SourceKind } from '../../shared/core/pipeline/source-kind.ts';
import { signBody } from '../../shared/core/pipeline/webhook-signature.ts';
import type { StatusView } from '../../shared/usecases/read-status.ts';
import type { FoundControlPlane } from '../control-plane-context.ts';
import { fetchStatus } from './status.ts';

export async function reconcileSource(
  plane: FoundControlPlane,
  name: string,
  kind: SourceKind = 'GitRepository',
): Promise<string> {
  const api = plane.apiUrl;
  // Read before anything is asked of the control plane: without a secret nothing can be requested.
  const secret = plane.webhookSecret();
  const view = await fetchStatus(plane);
  const wanted = parseName(name);
  const sources = view.sources.filter(
    (s) =>
      (s.kind ?? 'GitRepository') === kind &&
      (s.declarers ?? []).some((d) => d.namespace === wanted.namespace && d.name === wanted.name),
  );
  if (sources.length === 0) throw notFound(view, wanted, kind);
  // The webhook fetches every source of a repository: one request per repository the name stands for
  // (the same GitRepository name may be declared in several clusters).
  let fetching = 0;
  // Git: the repository's URL (every source of it is fetched, as a push would). Other kinds: exactly these.
  if (kind === 'GitRepository') {
    for (const url of [...new Set(sources.map((s) => s.url))])
      fetching += await requestFetch(api, secret, url);
  } else {
    fetching = await requestFetch(
      api,
      secret,
      sources.map((s) => s.sourceKey),
    );
  }
  const what = sources.map((s) => s.declaredBy).join('; ');
  return `► fetch requested for ${what} (${fetching} source${fetching === 1 ? '' : 's'}); follow with: sluice status\n`;
}

async function requestFetch(api: string, secret: string, what: string | string[]): Promise<number> {
  // A fresh id per request: the control plane drops a body it has already seen (a replayed delivery).
  const body = JSON.stringify({
    ...(typeof what === 'string' ? { repository: what } : { sources: what }),
    requestId: randomUUID(),
  });
  const res = await fetch(`${api}/hooks/generic`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, secret) },
    body,
  });
  const answer = (await res.json()) as { sources?: number; error?: string };
  if (!res.ok)
    throw new SluiceError('UsageError', `the control plane refused: ${answer.error ?? res.status}`);
  return answer.sources ?? 0;
}

/** `NAME` (namespace flux-system, like `flux reconcile source git`) or `NAMESPACE/NAME`. */
function parseName(name: string): { namespace: string; name: string } {
  const [first = '', second] = name.split('/');
  return second === undefined
    ? { namespace: 'flux-system', name: first }
    : { namespace: first, name: second };
}

function notFound(
  view: StatusView,
  wanted: { namespace: string; name: string },
  kind: SourceKind,
): SluiceError {
  const ofKind = view.sources.filter((s) => (s.kind ?? 'GitRepository') === kind);
  const named = ofKind.flatMap((s) => (s.declarers ?? []).map((d) => `${d.namespace}/${d.name}`));
  const known = [...new Set(named)].sort().join(', ');
  // Sources recorded by an earlier version have no declarers until the render that declares them runs again.
  const legacy = ofKind.filter((s) => (s.declarers ?? []).length === 0 && s.declaredBy);
  const hint = legacy.length
    ? `; ${legacy.length} source${legacy.length === 1 ? ' was' : 's were'} recorded by an earlier version (${legacy.map((s) => s.declaredBy).join(', ')}) and can be named here once the Kustomization that declares ${legacy.length === 1 ? 'it' : 'them'} renders again (a new commit in its source)`
    : '';
  return new SluiceError(
    'UsageError',
    `no ${kind} ${wanted.namespace}/${wanted.name}; known ${plural(kind)}: ${known || 'none'}${hint}`,
  );
}

/** `sources` for Git (the word the Git command always used), else the kind's plural: HelmRepositories. */
function plural(kind: SourceKind): string {
  if (kind === 'GitRepository') return 'sources';
  return kind.endsWith('y') ? `${kind.slice(0, -1)}ies` : `${kind}s`;
}
