import { describe, expect, it } from 'vitest';
import { resolveClusterRoot } from '../../../../shared/core/fleet/cluster-root.ts';
import { type FleetTree, fleetLayoutNotes } from '../../../../shared/core/fleet/fleet-layout.ts';

/** A fleet as the files it holds. */
function treeOf(files: string[]): FleetTree {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return {
    isFile: (p) => files.includes(p),
    isDirectory: (p) => dirs.has(p),
    directories: (p) =>
      [...dirs]
        .filter((d) => d.startsWith(`${p}/`) && !d.slice(p.length + 1).includes('/'))
        .map((d) => d.slice(p.length + 1)),
  };
}

const root = (cluster: string, path?: string) =>
  resolveClusterRoot(cluster, path ? { path } : undefined, 'main');

describe('fleetLayoutNotes', () => {
  it('says nothing when every cluster root is declared and present', () => {
    const tree = treeOf([
      'clusters/dev/flux-system/gotk-sync.yaml',
      'clusters/prod/apps.yaml',
      'apps/base/x.yaml',
    ]);
    expect(fleetLayoutNotes([root('dev'), root('prod')], tree)).toEqual([]);
  });

  it('names a sibling of a declared root that holds flux-system/gotk-sync.yaml', () => {
    const tree = treeOf([
      'kubernetes/clusters/prod/apps.yaml',
      'kubernetes/clusters/staging/flux-system/gotk-sync.yaml',
      'kubernetes/clusters/common/kustomization.yaml',
    ]);
    expect(fleetLayoutNotes([root('prod', 'kubernetes/clusters/prod')], tree)).toEqual([
      expect.objectContaining({ kind: 'UndeclaredClusterDirectory', path: 'kubernetes/clusters/staging' }),
    ]);
  });

  it('names a directory under clusters/ holding a kustomization.yaml, and no base elsewhere', () => {
    const tree = treeOf([
      'clusters/dev/kustomization.yaml',
      'clusters/edge/kustomization.yaml',
      'infra/base/kustomization.yaml',
    ]);
    const notes = fleetLayoutNotes([root('dev')], tree);
    expect(notes.map((n) => [n.kind, n.path])).toEqual([['UndeclaredClusterDirectory', 'clusters/edge']]);
  });

  it('names a declared cluster whose path is missing, with the directories that look like roots', () => {
    const tree = treeOf([
      'kubernetes/flux/cluster/flux-system/gotk-sync.yaml',
      'clusters/home/flux-system/gotk-sync.yaml',
    ]);
    const notes = fleetLayoutNotes([root('lab')], tree);
    expect(notes.map((n) => [n.kind, n.cluster, n.path])).toEqual([
      ['MissingClusterPath', 'lab', 'clusters/lab'],
      ['UndeclaredClusterDirectory', undefined, 'clusters/home'],
    ]);
    expect(notes[0]?.message).toContain('--cluster-path lab=PATH');
    expect(notes[0]?.message).toContain('clusters/home');
  });

  it('words the notes as the README shows them under FLEET in sluice status', () => {
    const tree = treeOf([
      'kubernetes/clusters/production/apps.yaml',
      'kubernetes/clusters/staging/flux-system/gotk-sync.yaml',
    ]);
    const notes = fleetLayoutNotes([root('eu', 'kubernetes/clusters/production'), root('lab')], tree);
    expect(notes.map((n) => n.message)).toEqual([
      "cluster lab: its path clusters/lab does not exist in the fleet; set the cluster's path (sluice.config.ts clusters[].fleet.path, sluice serve --cluster-path lab=PATH) to the directory flux bootstrap --path named; directories that look like cluster roots: kubernetes/clusters/staging",
      'kubernetes/clusters/staging looks like a cluster root (it holds flux-system/gotk-sync.yaml) but no declared cluster renders it; declare a cluster with this path, or ignore this if no cluster syncs it',
    ]);
  });

  it('does not count the parent of a declared root as undeclared', () => {
    const tree = treeOf(['clusters/prod/eu/flux-system/gotk-sync.yaml', 'clusters/prod/eu/apps.yaml']);
    expect(fleetLayoutNotes([root('eu', 'clusters/prod/eu')], tree)).toEqual([]);
  });
});
