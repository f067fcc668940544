// Follows symlinks the way the kernel does, but against a tree's own set of links rather than a disk:
// `a/b -> ..` then `c -> a/b/..` looks inside when each link is read alone, yet climbs out once followed.
import { SluiceError } from '../errors.ts';
import { assertSafeSymlink } from './git-tree-path.ts';

/** Linux's MAXSYMLINKS: more expansions than this in one lookup is a loop or not worth following. */
export const MAX_SYMLINK_HOPS = 40;

export type Resolution =
  | { inside: true; path: string }
  | { inside: false; reason: 'escapes' | 'absolute' | 'loop' };

/**
 * Resolves `path` (relative to the root) through `links` (link path → target, relative to the link's
 * directory), component by component: a link is expanded before a following `..` applies, as on disk.
 */
export function resolveInTree(
  path: string,
  links: ReadonlyMap<string, string>,
  maxHops = MAX_SYMLINK_HOPS,
): Resolution {
  const pending = path.split('/').reverse();
  const resolved: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.pop() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (resolved.length === 0) return { inside: false, reason: 'escapes' };
      resolved.pop();
      continue;
    }
    resolved.push(part);
    const target = links.get(resolved.join('/'));
    if (target === undefined) continue;
    hops += 1;
    if (hops > maxHops) return { inside: false, reason: 'loop' };
    if (target === '' || target.startsWith('/')) return { inside: false, reason: 'absolute' };
    resolved.pop();
    for (const next of target.split('/').reverse()) pending.push(next);
  }
  return { inside: true, path: resolved.join('/') };
}

/** Every link in the tree must resolve, through the others, to a location inside the repository. */
export function assertSymlinksStayInside(links: ReadonlyMap<string, string>): void {
  for (const [link, target] of links) {
    assertSafeSymlink(link, target);
    const resolution = resolveInTree(link, links);
    if (resolution.inside) continue;
    const why =
      resolution.reason === 'loop'
        ? `is part of a loop or of a chain of more than ${MAX_SYMLINK_HOPS} symlinks`
        : 'points outside the repository once the symlinks it goes through are followed';
    throw new SluiceError(
      'PathEscapesRoot',
      `symlink ${link} -> ${target} ${why}; replace it with a path inside the repository`,
      { file: link },
    );
  }
}
