// BuildWorkspaces as a thin overlay: real directories only along the path from the root to the build
// directory, every other entry a symlink into the snapshot. O(depth × siblings) instead of a full copy,
// so a render costs about what bare kustomize costs.
import { lstat, mkdir, mkdtemp, readdir, readlink, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildWorkspace, BuildWorkspaces } from '../../ports/build-workspace.ts';

export class OverlayWorkspaces implements BuildWorkspaces {
  private readonly scratchDir: string;

  constructor(scratchDir: string) {
    this.scratchDir = scratchDir;
  }

  async open(snapshotRoot: string, relPath: string): Promise<BuildWorkspace> {
    await mkdir(this.scratchDir, { recursive: true });
    const root = await mkdtemp(join(this.scratchDir, 'build-'));
    const segments = relPath.split('/').filter(Boolean);
    let source = snapshotRoot;
    let target = root;
    for (let depth = 0; depth <= segments.length; depth++) {
      const next = segments[depth];
      for (const entry of await readdir(source)) {
        if (entry !== next) await symlink(join(source, entry), join(target, entry));
      }
      if (next === undefined) break;
      source = join(source, next);
      target = join(target, next);
      await mkdir(target);
    }
    const buildDir = target;
    return {
      root,
      buildDir,
      async writeFile(name: string, content: string) {
        const path = join(buildDir, name);
        await unlink(path).catch(() => undefined); // replace the symlink, never write through it
        await writeFile(path, content);
      },
      async replaceSourceFile(relPath: string, content: string | Uint8Array) {
        // Turn each linked directory on the way into a real one whose entries link back, so only this file
        // differs from the snapshot.
        const segments = relPath.split('/').filter(Boolean);
        const name = segments.pop();
        if (!name || segments.includes('..')) throw new Error(`not a path inside the workspace: ${relPath}`);
        let dir = root;
        for (const segment of segments) {
          const path = join(dir, segment);
          const stat = await lstat(path);
          if (stat.isSymbolicLink()) {
            const target = await readlink(path);
            await unlink(path);
            await mkdir(path);
            for (const entry of await readdir(target)) await symlink(join(target, entry), join(path, entry));
          }
          dir = path;
        }
        const file = join(dir, name);
        await unlink(file).catch(() => undefined);
        await writeFile(file, content, { mode: 0o600 });
      },
      async dispose() {
        await rm(root, { recursive: true, force: true });
      },
    };
  }
}
