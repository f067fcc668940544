// `sluice check` (the migration report, like `flux check --pre` for a fleet): runs the embedded control
// plane on this checkout, no cluster and no cloud account, and says per Flux object what Sluice will do with it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { startControlPlane } from '../../embedded/control-plane.ts';
import { type CheckReport, exitCodeOf, VERDICTS } from '../../shared/core/check/check-report.ts';
import { silentLogger } from '../../shared/ports/logger.ts';
import { checkFleet } from '../../shared/usecases/check-fleet.ts';
import { commitCheckout, locateCheckout } from './check-checkout.ts';

const CLOSE_WAIT_MS = 5000;

export interface CheckArgs {
  /** The cluster root directory (`flux bootstrap --path`) in a fleet checkout. */
  path: string;
  /** Default: the last segment of the path. */
  cluster?: string;
  json: boolean;
  /** The cluster's root GitRepository and Kustomization, and the root's postBuild variables (as for serve). */
  root?: { namespace: string; name: string };
  variables?: Record<string, string>;
  timeoutMs: number;
  allowedSourceHosts?: string[];
  renderSandbox?: 'auto' | 'bwrap' | 'none';
}

export async function check(args: CheckArgs): Promise<{ output: string; exitCode: 0 | 1 }> {
  const report = await checkReportOf(args);
  return {
    output: args.json ? `${JSON.stringify(report)}\n` : formatCheckReport(report),
    exitCode: exitCodeOf(report),
  };
}

async function checkReportOf(args: CheckArgs): Promise<CheckReport> {
  const checkout = await locateCheckout(args.path);
  const cluster = args.cluster ?? basename(resolve(args.path));
  const work = mkdtempSync(join(tmpdir(), 'sluice-check-'));
  try {
    const fleetDir = join(work, 'fleet');
    const dataDir = join(work, 'data');
    // The embedded control plane serves <data>/git/fleet.git when it exists (ensureExampleFleet makes it
    // only when missing): made here, it holds the checkout byte for byte, symbolic links as written.
    await commitCheckout(checkout, fleetDir, join(dataDir, 'git', 'fleet.git'));
    const plane = await startControlPlane({
      dataDir,
      clusters: [cluster],
      clusterRoots: {
        [cluster]: {
          path: checkout.rootPath || '.',
          ...(args.root && { root: args.root }),
          ...(args.variables && { variables: args.variables }),
        },
      },
      exampleFleetDir: fleetDir,
      kube: 'none',
      ports: { api: 0, git: 0, queue: 0 },
      // One fetch of each source: the report is about this checkout, not about what changes later.
      scheduleEveryMs: 3_600_000,
      ...(args.allowedSourceHosts && { allowedSourceHosts: args.allowedSourceHosts }),
      ...(args.renderSandbox && { renderSandbox: args.renderSandbox }),
      log: silentLogger,
    });
    try {
      return await checkFleet(plane.deps, {
        cluster,
        rootPath: checkout.rootPath || '.',
        ...(args.root && { root: args.root }),
        timeoutMs: args.timeoutMs,
      });
    } finally {
      // A fetch still hanging at the timeout would hold the stop until its host answers: the report is ready.
      await Promise.race([plane.close(), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The table a person reads: one line per object, then the totals. */
export function formatCheckReport(report: CheckReport): string {
  const rows = [
    ['KIND', 'NAMESPACE/NAME', 'FILE', 'VERDICT', 'REASON'],
    ...report.objects.map((o) => [o.kind, `${o.namespace}/${o.name}`, o.file, o.verdict, o.reason]),
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => (i < 4 ? cell.padEnd(widths[i] ?? 0) : cell))
      .join('  ')
      .trimEnd(),
  );
  const totals = VERDICTS.map((v) => `${report.summary[v]} ${v}`).join(', ');
  const count = report.objects.length;
  return `${lines.join('\n')}\n\n${count} Flux object${count === 1 ? '' : 's'}: ${totals}\n`;
}
