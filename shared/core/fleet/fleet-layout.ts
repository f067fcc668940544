// Checks the fleet's directories against the declared clusters: a declared cluster whose path is not in the
// fleet, and a directory beside the declared roots that looks like a cluster root nobody declared.
import { type ClusterRoot, normalizeFleetPath } from './cluster-root.ts';

/** What the check reads of a snapshot: relative paths, `/`-separated; no file contents. */
export interface FleetTree {
  isDirectory(path: string): boolean;
  isFile(path: string): boolean;
  /** The subdirectories of a directory, by name; none when it does not exist. */
  directories(path: string): string[];
}

export interface FleetLayoutNote {
  kind: 'MissingClusterPath' | 'UndeclaredClusterDirectory';
  /** The declared cluster (MissingClusterPath). */
  cluster?: string;
  path: string;
  message: string;
}

/** `clusters/` is where `flux bootstrap` puts cluster roots by default: its subdirectories are always looked at. */
const DEFAULT_PARENT = 'clusters';

export function fleetLayoutNotes(roots: readonly ClusterRoot[], tree: FleetTree): FleetLayoutNote[] {
  const notes: FleetLayoutNote[] = [];
  const declared = new Set(roots.map((r) => normalizeFleetPath(r.path)));
  const candidates = undeclaredRoots(declared, tree);
  for (const root of roots) {
    if (tree.isDirectory(root.path)) continue;
    const hint =
      candidates.length > 0 ? `; directories that look like cluster roots: ${candidates.join(', ')}` : '';
    notes.push({
      kind: 'MissingClusterPath',
      cluster: root.cluster,
      path: root.path,
      message: `cluster ${root.cluster}: its path ${root.path} does not exist in the fleet; set the cluster's path (sluice.config.ts clusters[].fleet.path, sluice serve --cluster-path ${root.cluster}=PATH) to the directory flux bootstrap --path named${hint}`,
    });
  }
  for (const path of candidates)
    notes.push({
      kind: 'UndeclaredClusterDirectory',
      path,
      message: `${path} looks like a cluster root (${why(path, tree)}) but no declared cluster renders it; declare a cluster with this path, or ignore this if no cluster syncs it`,
    });
  return notes;
}

/** Siblings of the declared roots (and the children of clusters/) holding what a cluster root holds. */
function undeclaredRoots(declared: Set<string>, tree: FleetTree): string[] {
  const parents = new Set([DEFAULT_PARENT]);
  for (const path of declared) {
    const at = path.lastIndexOf('/');
    if (at > 0) parents.add(path.slice(0, at));
  }
  const found = new Set<string>();
  for (const parent of parents)
    for (const name of tree.directories(parent)) {
      const path = `${parent}/${name}`;
      const covered = [...declared].some((d) => d === path || d.startsWith(`${path}/`));
      if (!covered && why(path, tree)) found.add(path);
    }
  return [...found].sort();
}

/** What makes a directory look like a cluster root, or '' when nothing does. */
function why(path: string, tree: FleetTree): string {
  if (tree.isFile(`${path}/flux-system/gotk-sync.yaml`)) return 'it holds flux-system/gotk-sync.yaml';
  if (tree.isDirectory(`${path}/flux-system`)) return 'it holds flux-system/';
  // Only under clusters/: elsewhere a kustomization.yaml is any base or overlay.
  if (path.startsWith(`${DEFAULT_PARENT}/`) && tree.isFile(`${path}/kustomization.yaml`))
    return 'a kustomization.yaml under clusters/';
  return '';
}
