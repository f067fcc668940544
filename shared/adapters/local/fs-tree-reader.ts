// TreeReader over the local filesystem (a materialised snapshot or a user's checkout).
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import type { TreeEntry, TreeReader } from '../../core/render/tree-reader.ts';

export const fsTreeReader: TreeReader = {
  list(dir: string): TreeEntry[] {
    try {
      return readdirSync(dir, { withFileTypes: true }).map((d) => ({
        name: d.name,
        type: d.isSymbolicLink() ? 'symlink' : d.isDirectory() ? 'dir' : 'file',
      }));
    } catch {
      return [];
    }
  },
  stat(path: string) {
    try {
      const s = statSync(path);
      return s.isDirectory() ? 'dir' : 'file';
    } catch {
      return 'missing';
    }
  },
  readText(path: string): string {
    return readFileSync(path, 'utf8');
  },
  realpath(path: string): string {
    // The native call resolves as the kernel does; the JS one folds `..` before following links, so a chain
    // like `c -> a/b/..` with `a/b -> ..` would look inside while it climbs out.
    return realpathSync.native(path);
  },
};
