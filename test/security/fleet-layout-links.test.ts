// The fleet layout check reads a hostile fleet's directory tree: a symbolic link must not make this
// machine's directories (or their names) part of a status line.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveClusterRoot } from '../../shared/core/fleet/cluster-root.ts';
import { fleetLayoutNotes } from '../../shared/core/fleet/fleet-layout.ts';
import { snapshotTree } from '../../shared/usecases/report-fleet-layout.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-layout-'));
const outside = mkdtempSync(join(tmpdir(), 'sluice-outside-'));

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('the fleet layout check on a snapshot with symbolic links', () => {
  it('sees nothing through a link, whether it is the parent directory or a cluster directory', () => {
    mkdirSync(join(outside, 'secret-host-dir/flux-system'), { recursive: true });
    writeFileSync(join(outside, 'secret-host-dir/flux-system/gotk-sync.yaml'), 'x');
    const fleet = join(root, 'fleet');
    mkdirSync(join(fleet, 'kubernetes/clusters/prod'), { recursive: true });
    symlinkSync(outside, join(fleet, 'clusters'));
    symlinkSync(join(outside, 'secret-host-dir'), join(fleet, 'kubernetes/clusters/linked'));
    const tree = snapshotTree(fleet);
    expect(tree.directories('clusters')).toEqual([]);
    expect(tree.isFile('kubernetes/clusters/linked/flux-system/gotk-sync.yaml')).toBe(false);
    const notes = fleetLayoutNotes(
      [resolveClusterRoot('prod', { path: 'kubernetes/clusters/prod' }, 'main')],
      tree,
    );
    expect(notes).toEqual([]);
    expect(JSON.stringify(notes)).not.toContain('secret-host-dir');
  });

  it('does not step out of the snapshot with ..', () => {
    expect(snapshotTree(join(root, 'fleet')).isDirectory('../fleet')).toBe(false);
  });
});
