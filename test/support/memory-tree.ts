// An in-memory TreeReader for unit tests of the render core: files, directories and symlinks with the
// same semantics as the filesystem adapter (list shows links as links; stat/readText/realpath follow them).
import { posix } from 'node:path';
import type { TreeEntry, TreeReader } from '../../shared/core/render/tree-reader.ts';

/** File content, or a symlink (target relative to the link's directory, or absolute). */
export type MemoryNode = string | { symlink: string };

/**
 * Builds a tree from absolute paths. A key ending in `/` is an (empty) directory; parent directories are
 * implied. Example: `memoryTree({ '/src/apps/cm.yaml': '…', '/src/link': { symlink: '../etc' } })`.
 */
export function memoryTree(entries: Record<string, MemoryNode>): TreeReader {
  const files = new Map<string, string>();
  const links = new Map<string, string>();
  const dirs = new Set<string>(['/']);
  const addParents = (path: string): void => {
    for (let dir = posix.dirname(path); !dirs.has(dir); dir = posix.dirname(dir)) dirs.add(dir);
  };
  for (const [key, node] of Object.entries(entries)) {
    const path = posix.normalize(key);
    if (key.endsWith('/')) {
      const dir = path.replace(/\/$/, '') || '/';
      dirs.add(dir);
      addParents(dir);
      continue;
    }
    if (typeof node === 'string') files.set(path, node);
    else links.set(path, node.symlink);
    addParents(path);
  }

  /** Physical path with every symlink resolved, or undefined when some component is missing. */
  const resolve = (path: string, hops = 0): string | undefined => {
    if (hops > 40) return undefined; // ELOOP
    let current = '/';
    for (const segment of posix.normalize(path).split('/').filter(Boolean)) {
      const next = posix.join(current, segment);
      const target = links.get(next);
      if (target !== undefined) {
        const resolved = resolve(posix.isAbsolute(target) ? target : posix.join(current, target), hops + 1);
        if (resolved === undefined) return undefined;
        current = resolved;
      } else if (dirs.has(next) || files.has(next)) {
        current = next;
      } else {
        return undefined;
      }
    }
    return current;
  };
  const kindOf = (real: string | undefined): 'file' | 'dir' | 'missing' =>
    real === undefined ? 'missing' : dirs.has(real) ? 'dir' : files.has(real) ? 'file' : 'missing';

  return {
    list(dir: string): TreeEntry[] {
      const real = resolve(dir);
      if (real === undefined || !dirs.has(real)) return [];
      const out: TreeEntry[] = [];
      const childOf = (p: string) => p !== real && posix.dirname(p) === real;
      for (const d of dirs) if (childOf(d)) out.push({ name: posix.basename(d), type: 'dir' });
      for (const f of files.keys()) if (childOf(f)) out.push({ name: posix.basename(f), type: 'file' });
      for (const l of links.keys()) if (childOf(l)) out.push({ name: posix.basename(l), type: 'symlink' });
      // Deliberately not sorted: readers must not rely on the order of directory entries.
      return out.reverse();
    },
    stat(path: string) {
      return kindOf(resolve(path));
    },
    readText(path: string): string {
      const real = resolve(path);
      const text = real === undefined ? undefined : files.get(real);
      if (text === undefined)
        throw Object.assign(new Error(`ENOENT: no such file: ${path}`), { code: 'ENOENT' });
      return text;
    },
    realpath(path: string): string {
      const real = resolve(path);
      if (real === undefined)
        throw Object.assign(new Error(`ENOENT: no such file: ${path}`), { code: 'ENOENT' });
      return real;
    },
  };
}
