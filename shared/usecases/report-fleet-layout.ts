// Use-case step of a root's render: the fleet's layout against the declared clusters (fleet-layout.ts), kept
// per cluster for `sluice status` and logged when it changes. It never fails the render it rides on.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../core/canonical-json.ts';
import { resolveClusterRoot } from '../core/fleet/cluster-root.ts';
import { type FleetLayoutNote, type FleetTree, fleetLayoutNotes } from '../core/fleet/fleet-layout.ts';
import type { FetchSpec, FetchState } from '../core/pipeline/records.ts';
import { storePrefixes } from '../core/pipeline/resource-names.ts';
import { getJson, type ObjectStore, putJson } from '../ports/object-store.ts';
import { loadSnapshot } from './load-snapshot.ts';
import type { PipelineDeps } from './pipeline-deps.ts';

export interface FleetLayoutRecord {
  /** The fleet revision the check read. */
  revision: string;
  notes: FleetLayoutNote[];
}

export const fleetLayoutKey = (cluster: string) => `${storePrefixes.cluster(cluster)}fleet-layout.json`;

export async function reportFleetLayout(
  deps: PipelineDeps,
  cluster: string,
  source: FetchState,
  spec: FetchSpec | undefined,
): Promise<void> {
  try {
    const dir = await loadSnapshot(deps, source, spec, `the fleet root of cluster ${cluster}`);
    const branch = spec?.ref?.branch ?? '';
    // Every cluster following this fleet source: one branch's snapshot only speaks for its own clusters.
    const roots = deps.settings.clusters
      .map((c) => resolveClusterRoot(c, deps.settings.clusterRoots?.[c], branch))
      .filter((r) => r.branch === branch);
    const record: FleetLayoutRecord = {
      revision: source.revision ?? '',
      notes: fleetLayoutNotes(roots, snapshotTree(dir)),
    };
    const before = await getJson<FleetLayoutRecord>(deps.store, fleetLayoutKey(cluster));
    if (before && canonicalJson(before.notes) === canonicalJson(record.notes)) return;
    await putJson(deps.store, fleetLayoutKey(cluster), record);
    for (const note of record.notes)
      deps.log.warn('fleet layout', { cluster, kind: note.kind, path: note.path, message: note.message });
  } catch (err) {
    deps.log.warn('fleet layout check skipped', { cluster, error: (err as Error).message });
  }
}

export async function readFleetLayout(
  store: ObjectStore,
  cluster: string,
): Promise<FleetLayoutRecord | undefined> {
  return getJson<FleetLayoutRecord>(store, fleetLayoutKey(cluster));
}

/**
 * The snapshot as the check sees it. A symbolic link anywhere on a path counts as nothing: a fleet's link to
 * `/` must not make this machine's directories part of a status line.
 */
export function snapshotTree(root: string): FleetTree {
  const kind = (path: string) => {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) return undefined;
    let at = root;
    let stats: ReturnType<typeof lstatSync> | undefined;
    for (const part of parts) {
      at = join(at, part);
      stats = lstatSync(at, { throwIfNoEntry: false });
      if (!stats || stats.isSymbolicLink()) return undefined;
    }
    return stats;
  };
  return {
    isDirectory: (path) => kind(path)?.isDirectory() === true,
    isFile: (path) => kind(path)?.isFile() === true,
    directories: (path) => {
      if (kind(path)?.isDirectory() !== true) return [];
      return readdirSync(join(root, path), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    },
  };
}
