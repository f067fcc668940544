// Read-only view of a materialised source tree, so planning code stays free of `fs` and is testable.

export interface TreeEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink';
}

export interface TreeReader {
  /** Entries of a directory (absolute path), any order; [] when it does not exist. */
  list(dir: string): TreeEntry[];
  /** 'missing' when absent; symlinks are resolved (a link to a dir is a 'dir'). */
  stat(path: string): 'file' | 'dir' | 'missing';
  readText(path: string): string;
  /** The canonical absolute path with symlinks resolved. */
  realpath(path: string): string;
}
