// A build workspace as one gzip'd JSON document, so the cloud's tool sandbox function (which holds no
// credentials and reads nothing else) can rebuild exactly the tree kustomize may read. Packing follows the
// overlay's absolute links into the snapshot; unpacking treats the bundle as hostile input.
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { SluiceError } from '../../core/errors.ts';
import { isWithin, normalizeInside } from '../../core/paths/secure-join.ts';

interface Bundle {
  version: 1;
  /** Path of the build directory inside the bundle. */
  buildDir: string;
  files: Record<string, string>;
  links: Record<string, string>;
}

export interface BundleLimits {
  maxBytes: number;
  maxFiles: number;
}

export const DEFAULT_BUNDLE_LIMITS: BundleLimits = { maxBytes: 256 * 1024 ** 2, maxFiles: 100_000 };

/**
 * Packs `root` (the scratch overlay). Absolute links into one of `allowed` roots are followed and packed as
 * content; relative links are kept as links; anything else is left out (the guard already refused it).
 */
export interface PackOptions {
  limits?: BundleLimits;
  /** Pack just these snapshot files (at their paths relative to `sourceRoot`) plus the workspace's own. */
  only?: { sourceRoot: string; files: string[] };
}

export function packWorkspace(
  root: string,
  buildDir: string,
  allowed: string[],
  opts: PackOptions = {},
): Buffer {
  const limits = opts.limits ?? DEFAULT_BUNDLE_LIMITS;
  const bundle: Bundle = { version: 1, buildDir: posix.relative(root, buildDir), files: {}, links: {} };
  let bytes = 0;
  let count = 0;
  if (opts.only) {
    const add = (relPath: string, path: string): void => {
      const content = readFileSync(path);
      bytes += content.length;
      if (++count > limits.maxFiles) throw tooBig(`more than ${limits.maxFiles} files`);
      if (bytes > limits.maxBytes) throw tooBig(`more than ${Math.round(limits.maxBytes / 1024 ** 2)} MiB`);
      bundle.files[relPath] = content.toString('base64');
    };
    for (const file of opts.only.files) {
      const rel = posix.relative(opts.only.sourceRoot, file);
      if (rel.startsWith('..') || posix.isAbsolute(rel)) continue;
      add(rel, file);
    }
    // The workspace's real files (the merged kustomization) replace the snapshot's.
    const own = (dir: string, rel: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        const relPath = rel ? `${rel}/${name}` : name;
        const stat = lstatSync(path);
        if (stat.isDirectory()) own(path, relPath);
        else if (stat.isFile()) add(relPath, path);
      }
    };
    own(root, '');
    return gzipSync(JSON.stringify(bundle));
  }
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const stat = lstatSync(path);
      if (++count > limits.maxFiles) throw tooBig(`more than ${limits.maxFiles} files`);
      if (stat.isSymbolicLink()) {
        const target = readlinkSync(path);
        if (!posix.isAbsolute(target)) bundle.links[relPath] = target;
        else if (allowed.some((a) => isWithin(a, target))) walkEntry(target, relPath);
        continue;
      }
      walkEntry(path, relPath);
    }
  };
  const walkEntry = (path: string, relPath: string): void => {
    const stat = lstatSync(path);
    if (stat.isDirectory()) {
      walk(path, relPath);
      return;
    }
    if (stat.isSymbolicLink()) {
      bundle.links[relPath] = readlinkSync(path);
      return;
    }
    if (!stat.isFile()) return;
    bytes += stat.size;
    if (bytes > limits.maxBytes) throw tooBig(`more than ${Math.round(limits.maxBytes / 1024 ** 2)} MiB`);
    bundle.files[relPath] = readFileSync(path).toString('base64');
  };
  walk(root, '');
  return gzipSync(JSON.stringify(bundle));
}

/** Rebuilds a bundle under `dest`; returns the build directory. Every path and link must stay inside. */
export function unpackWorkspace(data: Buffer, dest: string, limits = DEFAULT_BUNDLE_LIMITS): string {
  let bundle: Bundle;
  try {
    const json = gunzipSync(data, { maxOutputLength: limits.maxBytes * 2 }).toString('utf8');
    bundle = JSON.parse(json) as Bundle;
  } catch (cause) {
    throw new SluiceError('BuildFailed', 'the render sandbox received an unreadable workspace bundle', {
      cause,
    });
  }
  if (bundle?.version !== 1 || typeof bundle.files !== 'object' || typeof bundle.links !== 'object')
    throw new SluiceError(
      'BuildFailed',
      'the render sandbox received a workspace bundle of an unknown version',
    );
  const inside = (rel: string): string => {
    const clean = normalizeInside(rel);
    if (clean === undefined || clean === '' || posix.isAbsolute(rel) || clean.split('/').includes('.git'))
      throw new SluiceError(
        'PathEscapesRoot',
        `workspace bundle path ${JSON.stringify(rel)} leaves the workspace`,
      );
    return join(dest, clean);
  };
  for (const [rel, content] of Object.entries(bundle.files)) {
    const path = inside(rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.from(content, 'base64'));
  }
  for (const [rel, target] of Object.entries(bundle.links)) {
    const path = inside(rel);
    // Lexically inside is enough here: links are created last, after every real directory, and only
    // relative links that resolve within dest are created (a link through a link is re-checked by the guard).
    if (posix.isAbsolute(target) || !isWithin(dest, posix.normalize(posix.join(dirname(path), target))))
      throw new SluiceError(
        'PathEscapesRoot',
        `workspace bundle link ${JSON.stringify(rel)} leaves the workspace`,
      );
    mkdirSync(dirname(path), { recursive: true });
    symlinkSync(target, path);
  }
  // Each link was inside on its own; a chain (`a/b -> ..`, then `c -> a/b/..`) can still climb out, so
  // every link is resolved as a whole chain now that all of them exist.
  const realDest = realpathSync.native(dest);
  for (const rel of Object.keys(bundle.links)) {
    let resolved: string | undefined;
    try {
      resolved = realpathSync.native(inside(rel));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new SluiceError('PathEscapesRoot', `workspace bundle link ${JSON.stringify(rel)} is a loop`);
    }
    if (resolved !== undefined && !isWithin(realDest, resolved))
      throw new SluiceError(
        'PathEscapesRoot',
        `workspace bundle link ${JSON.stringify(rel)} leaves the workspace`,
      );
  }
  const buildDir = bundle.buildDir === '' ? dest : inside(bundle.buildDir);
  mkdirSync(buildDir, { recursive: true });
  return buildDir;
}

function tooBig(what: string): SluiceError {
  return new SluiceError(
    'RenderLimitExceeded',
    `the build reads ${what}, over the render sandbox's limit; split the Kustomization or exclude files with .sourceignore`,
    { retryable: false },
  );
}
