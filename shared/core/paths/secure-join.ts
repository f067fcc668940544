// Joins a user-supplied relative path onto a root so the result can never leave the root, the way
// Flux's securejoin treats spec.path: `..` is clamped lexically; escapes are reported, not followed.
import { posix } from 'node:path';
import { SluiceError } from '../errors.ts';

/** Normalises `rel` (POSIX separators) inside root; throws PathEscapesRoot if it climbs out. */
export function secureJoin(root: string, rel: string, what: string): string {
  const normalized = normalizeInside(rel);
  if (normalized === undefined) {
    throw new SluiceError(
      'PathEscapesRoot',
      `${what} ${JSON.stringify(rel)} points outside the repository; use a path relative to the repository root without leading '..'`,
      { field: what },
    );
  }
  return normalized === '' ? root : posix.join(root, normalized);
}

/** The path relative to the root, or undefined if it escapes. Absolute paths count from the root. */
export function normalizeInside(rel: string): string | undefined {
  const cleaned = posix.normalize(`/${rel.replace(/\\/g, '/')}`);
  const relative = posix.relative('/', cleaned);
  // posix.normalize on an absolute path already clamps '..' at '/', so detect escapes on the raw segments.
  let depth = 0;
  for (const segment of rel.replace(/\\/g, '/').split('/')) {
    if (segment === '..') depth--;
    else if (segment !== '' && segment !== '.') depth++;
    if (depth < 0) return undefined;
  }
  return relative;
}

/** True when `child` (absolute, normalised) is `root` or lies under it. */
export function isWithin(root: string, child: string): boolean {
  const rel = posix.relative(root, child);
  // `..data` is a legitimate name inside the root; only `..` itself or `../…` climbs out.
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !posix.isAbsolute(rel));
}
