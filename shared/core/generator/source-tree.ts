// The file list of one input snapshot as the copy planner reads it: paths relative to the snapshot's root,
// `/`-separated, each a file (with its size) or a directory. Symlinks never appear: the adapter leaves them out.

export type TreeEntry = { type: 'file'; size: number } | { type: 'dir' };

export class SourceTree {
  private readonly entries: Map<string, TreeEntry>;
  private readonly children = new Map<string, string[]>();

  /** `entries` holds every path but the root (`.`), each parent directory included. */
  constructor(entries: Map<string, TreeEntry>) {
    this.entries = entries;
    for (const path of entries.keys()) {
      const parent = parentOf(path);
      const list = this.children.get(parent) ?? [];
      list.push(baseName(path));
      this.children.set(parent, list);
    }
    // Go reads directories in name order (byte order), and so does every walk and glob here.
    for (const list of this.children.values()) list.sort(byteOrder);
  }

  get(path: string): TreeEntry | undefined {
    return path === '.' ? { type: 'dir' } : this.entries.get(path);
  }

  /** Names in a directory, sorted; none for a file or a missing path. */
  list(dir: string): readonly string[] {
    return this.children.get(dir) ?? [];
  }
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '.' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** `path.Join`: `.` and empty parts dropped (`..` never reaches here: the planner refuses it first). */
export function joinPath(...parts: string[]): string {
  const segs = parts.flatMap((p) => p.split('/')).filter((s) => s !== '' && s !== '.');
  return segs.length === 0 ? '.' : segs.join('/');
}

export const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
