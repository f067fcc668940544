// Validates one path component coming from a Git tree before it is written to disk: a hostile repository
// must not be able to write outside the snapshot (`..`, absolute names) or plant a `.git` directory.
import { posix } from 'node:path';
import { SluiceError } from '../errors.ts';
import { isWithin } from './secure-join.ts';

export function assertSafeTreeEntry(parent: string, name: string): void {
  const bad =
    name === '' ||
    name === '.' ||
    name === '..' ||
    name.includes('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    name.toLowerCase() === '.git';
  if (bad) {
    throw new SluiceError(
      'PathEscapesRoot',
      `repository contains an unsafe path entry ${JSON.stringify(posix.join(parent, name))}; remove it from the repository`,
      { file: posix.join(parent, name) },
    );
  }
}

/** A symlink at `linkPath` (relative to the root) may only point at something inside the repository. */
export function assertSafeSymlink(linkPath: string, target: string): void {
  const resolved = posix.normalize(posix.join('/', posix.dirname(linkPath), target));
  if (posix.isAbsolute(target) || !isWithin('/', resolved) || escapes(linkPath, target)) {
    throw new SluiceError(
      'PathEscapesRoot',
      `symlink ${linkPath} -> ${target} points outside the repository; replace it with a path inside the repository`,
      { file: linkPath },
    );
  }
}

function escapes(linkPath: string, target: string): boolean {
  let depth = posix
    .dirname(linkPath)
    .split('/')
    .filter((s) => s && s !== '.').length;
  for (const segment of target.split('/')) {
    if (segment === '..') depth--;
    else if (segment && segment !== '.') depth++;
    if (depth < 0) return true;
  }
  return false;
}
