// `sluice status`: sources with their revisions, and per cluster each Kustomization's artifact, render
// and apply state, read from the control plane's status API.
import { SluiceError } from '../../shared/core/errors.ts';
import type { StatusView } from '../../shared/usecases/read-status.ts';
import type { FoundControlPlane } from '../control-plane-context.ts';
import { driftLines } from './status-drift.ts';

export async function status(plane: FoundControlPlane, asJson: boolean): Promise<string> {
  const view = await fetchStatus(plane);
  if (asJson) return `${JSON.stringify(view, null, 2)}\n`;
  return formatStatus(view);
}

/** The status API's view; an unreachable or refusing control plane is a usage error that says what to pass. */
export async function fetchStatus(plane: FoundControlPlane): Promise<StatusView> {
  let res: Response;
  try {
    // The token also opens artifacts (which may hold Secrets): it goes only to a control plane that asked for it.
    const ask = (headers: Record<string, string>) =>
      fetch(`${plane.apiUrl}/api/status`, { signal: AbortSignal.timeout(5000), headers });
    res = await ask({});
    if (res.status === 401) {
      const auth = statusAuthorization(plane);
      if (auth.authorization) res = await ask(auth);
    }
  } catch (err) {
    throw new SluiceError(
      'UsageError',
      `could not reach the control plane at ${plane.apiUrl} (from ${plane.from}: ${(err as Error).message}); start it with npm start, or pass --api URL`,
    );
  }
  if (res.status === 401) {
    throw new SluiceError(
      'UsageError',
      `the control plane at ${plane.apiUrl} wants its status token: pass --data-dir DIR (its data directory, holding api-token) or set SLUICE_API_TOKEN`,
    );
  }
  if (!res.ok) {
    throw new SluiceError('UsageError', `the control plane at ${plane.apiUrl} answered HTTP ${res.status}`);
  }
  return (await res.json()) as StatusView;
}

/** A control plane listening beyond loopback wants its status token (the api-token file in its data directory). */
function statusAuthorization(plane: FoundControlPlane): Record<string, string> {
  const token = plane.apiToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

export function formatStatus(view: StatusView): string {
  const out: string[] = ['SOURCES'];
  out.push(
    table(
      ['SOURCE', 'URL', 'REVISION', 'DIGEST', 'FETCHED', 'ERROR'],
      view.sources.map((s) => [
        s.declaredBy,
        s.url,
        s.chart ? `${s.chart.name}@${s.chart.version}` : (s.revision ?? '-'),
        s.digest?.slice(0, 19) ?? '-',
        s.fetchedAt ?? '-',
        s.error?.message ?? '',
      ]),
    ),
  );
  if (view.fleet?.notes.length) out.push('', 'FLEET', ...view.fleet.notes.map((n) => `  ${n.message}`));
  for (const cluster of view.clusters) {
    out.push('', `CLUSTER ${cluster.name}`);
    const kustomizations = cluster.kustomizations.filter(
      (k) => (k.kind ?? 'Kustomization') === 'Kustomization',
    );
    const releases = cluster.kustomizations.filter((k) => k.kind === 'HelmRelease');
    out.push(
      table(
        ['KUSTOMIZATION', 'REVISION', 'ARTIFACT', 'RENDERED', 'APPLIED', 'MESSAGE'],
        kustomizations.map((k) => [
          `${k.namespace}/${k.name}`,
          k.artifact?.revision ?? '-',
          k.artifact?.deleted ? 'deleted' : (k.artifact?.digest?.slice(0, 19) ?? '-'),
          k.render ? (k.render.ready ? 'True' : `False (${k.render.reason})`) : 'Unknown',
          k.apply
            ? k.apply.suspended
              ? 'Suspended'
              : k.apply.ready
                ? 'True'
                : `${k.apply.stalled ? 'Stalled' : 'False'} (${k.apply.reason})`
            : 'Unknown',
          (k.render && !k.render.ready
            ? k.render.message
            : (k.apply?.message ?? k.render?.message ?? '')
          ).slice(0, 160),
        ]),
      ),
    );
    if (releases.length > 0) {
      out.push(
        '',
        table(
          ['HELMRELEASE', 'CHART', 'REVISION', 'RENDERED', 'RELEASE', 'MESSAGE'],
          releases.map((k) => [
            `${k.namespace}/${k.name}`,
            k.chart ? `${k.chart.name}@${k.chart.version}` : '-',
            k.artifact?.revision ?? '-',
            k.render ? (k.render.ready ? 'True' : `False (${k.render.reason})`) : 'Unknown',
            k.apply ? (k.apply.ready ? 'deployed' : `failed (${k.apply.reason})`) : 'Unknown',
            (k.render && !k.render.ready
              ? k.render.message
              : (k.apply?.message ?? k.render?.message ?? '')
            ).slice(0, 160),
          ]),
        ),
      );
    }
    // Warnings (fields not enforced yet, children over a limit) are rare and long: one line each, below.
    const warnings = cluster.kustomizations.flatMap((k) =>
      (k.render?.warnings ?? []).map((w) => `  ${k.namespace}/${k.name}: ${w}`),
    );
    if (warnings.length > 0) out.push('WARNINGS', ...warnings);
    const drift = driftLines(cluster.kustomizations);
    if (drift.length > 0) out.push('DRIFT', ...drift);
    const rollbacks = cluster.kustomizations.flatMap((k) => {
      const r = !k.artifact?.deleted && k.artifact?.rollback;
      return r
        ? [
            `  ${k.kind && k.kind !== 'Kustomization' ? `${k.kind}/` : ''}${k.namespace}/${k.name}: rolled back to ${k.artifact?.revision} (${r.to.slice(0, 19)}) from ${r.from.slice(0, 19)} at ${r.at} by ${r.by}${r.reason ? ` (${r.reason})` : ''}; held until a render gives other content than ${r.held.digest.slice(0, 19)}`,
          ]
        : [];
    });
    if (rollbacks.length > 0) out.push('ROLLBACKS', ...rollbacks);
    const why = whyNotApplied(view, cluster);
    if (why) out.push(`APPLIED: ${why}`);
  }
  return `${out.join('\n')}\n`;
}

/** Why the APPLIED column says nothing (or only old news): no puller, or one that plays another cluster. */
function whyNotApplied(view: StatusView, cluster: StatusView['clusters'][number]): string | undefined {
  const targets = cluster.kustomizations;
  if (targets.length === 0) return undefined;
  const applied = targets.some((k) => k.apply);
  // sluice get artifact names Kustomizations.
  const shown = targets.find(
    (k) => (k.kind ?? 'Kustomization') === 'Kustomization' && k.artifact?.digest && !k.artifact.deleted,
  );
  const look = shown
    ? `; see what would be applied with: sluice get artifact ${cluster.name}/${shown.namespace === 'flux-system' ? '' : `${shown.namespace}/`}${shown.name}`
    : '';
  const puller = view.localPuller;
  if (puller?.state === 'off')
    return applied
      ? `no puller is running (${puller.reason}); the column shows its last run`
      : `nothing applied: no puller is running (${puller.reason})${look}`;
  if (applied) return undefined;
  if (puller?.state === 'running' && puller.cluster !== cluster.name)
    return `nothing applied: the local puller plays cluster "${puller.cluster}", not this one${look}`;
  // The local puller of this cluster reports after its first pass; elsewhere a remote puller should.
  return puller ? undefined : `nothing applied: no puller of this cluster has reported yet${look}`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
