// Writes a commit's tree to disk as Flux's artifact would hold it: Flux's ignore rules applied, every path
// checked (no `..`, no `.git`), symlinks kept only when their resolved chain stays inside the repository,
// submodules skipped.
// Files unchanged since the previous snapshot of the same source are hard-linked rather than rewritten.
import * as fs from 'node:fs';
import { linkSync, mkdirSync } from 'node:fs';
import { chmod, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import git from 'isomorphic-git';
import { SluiceError } from '../../core/errors.ts';
import { fileTooLarge, SnapshotBudget, type SnapshotLimits } from '../../core/git/snapshot-limits.ts';
import { SourceIgnore } from '../../core/git/source-ignore.ts';
import { assertSafeTreeEntry } from '../../core/paths/git-tree-path.ts';
import { assertSymlinksStayInside } from '../../core/paths/symlink-chain.ts';
import { commitTree, type GitObject, ObjectTooLargeError, PackStore, parseTree } from './pack-store.ts';

interface Entry {
  path: string;
  mode: string;
  oid: string;
}

export interface MaterializeRequest {
  gitdir: string;
  commit: string;
  ignore: string | undefined;
  target: string;
  /** A previous snapshot of the same source whose unchanged files can be hard-linked instead of written. */
  previous?: string | undefined;
  limits: SnapshotLimits;
}

/**
 * Per snapshot: path → `<mode> <oid> <size>` of every regular file, so the next commit can reuse unchanged
 * ones (and still count their bytes against the snapshot's limit).
 */
export type Manifest = Record<string, string>;

const PARALLEL_WRITES = 32;
const TREE_MODE = '040000';
const SUBMODULE_MODE = '160000';
const SYMLINK_MODE = '120000';

export async function materializeTree(
  req: MaterializeRequest,
): Promise<{ files: number; manifest: Manifest }> {
  const read = await objectReader(req.gitdir, req.limits.maxFileBytes);
  const budget = new SnapshotBudget(req.limits);
  // Ignored files and directories are listed too, so the walk itself is bounded, more loosely.
  const maxEntries = req.limits.maxFiles * 4;
  const entries: Entry[] = [];
  const walk = async (treeOid: string, prefix: string): Promise<void> => {
    for (const e of parseTree((await read(treeOid, 'tree', prefix || '/')).data)) {
      if (entries.length >= maxEntries) {
        throw new SluiceError(
          'LimitExceeded',
          `the repository tree has more than ${maxEntries} entries (files, directories and ignored files); split the repository`,
        );
      }
      assertSafeTreeEntry(prefix, e.path);
      const path = prefix ? `${prefix}/${e.path}` : e.path;
      entries.push({ path, mode: e.mode, oid: e.oid });
      if (e.mode === TREE_MODE) await walk(e.oid, path);
    }
  };
  await walk(commitTree((await read(req.commit, 'commit', req.commit)).data), '');

  const sourceIgnoreFiles = new Map<string, string>();
  for (const e of entries) {
    if (e.mode !== TREE_MODE && posix.basename(e.path) === '.sourceignore') {
      const dir = posix.dirname(e.path);
      sourceIgnoreFiles.set(
        dir === '.' ? '' : dir,
        (await read(e.oid, 'blob', e.path)).data.toString('utf8'),
      );
    }
  }
  const matcher = new SourceIgnore(req.ignore, sourceIgnoreFiles);

  // Each file is judged on its own path (go-git semantics: a negation can re-include a file under an
  // excluded directory); directories exist only to hold the files that stay.
  const files = entries.filter(
    (e) => e.mode !== TREE_MODE && e.mode !== SUBMODULE_MODE && !matcher.ignores(e.path),
  );
  budget.countFiles(files.length);
  // Symlinks are judged together, as chains through each other, before anything is written.
  const links = new Map<string, string>();
  for (const e of files) {
    if (e.mode === SYMLINK_MODE) links.set(e.path, (await read(e.oid, 'blob', e.path)).data.toString('utf8'));
  }
  assertSymlinksStayInside(links);
  const dirs = new Set<string>();
  for (const f of files) {
    for (let d = posix.dirname(f.path); d !== '.' && !dirs.has(d); d = posix.dirname(d)) dirs.add(d);
  }
  // Directory creation and hard links are cheap metadata calls: done synchronously, they cost less than
  // a thread-pool round trip each.
  mkdirSync(req.target, { recursive: true });
  for (const dir of [...dirs].sort()) mkdirSync(join(req.target, dir), { recursive: true });
  const previous = await readManifest(req.previous);
  const manifest: Manifest = {};
  const writeOne = async (e: Entry): Promise<void> => {
    const out = join(req.target, e.path);
    if (e.mode === SYMLINK_MODE) {
      await symlink(links.get(e.path) as string, out);
      return;
    }
    const identity = `${e.mode} ${e.oid}`;
    const known = previous[e.path];
    const knownSize = known?.startsWith(`${identity} `)
      ? Number(known.slice(identity.length + 1))
      : Number.NaN;
    if (req.previous && Number.isSafeInteger(knownSize)) {
      try {
        linkSync(join(req.previous, e.path), out);
        budget.addFile(e.path, knownSize);
        manifest[e.path] = known as string;
        return;
      } catch (err) {
        if (err instanceof SluiceError) throw err;
        // previous snapshot pruned meanwhile: write the blob instead
      }
    }
    const { data } = await read(e.oid, 'blob', e.path);
    budget.addFile(e.path, data.length);
    manifest[e.path] = `${identity} ${data.length}`;
    await writeFile(out, data);
    if (e.mode === '100755') await chmod(out, 0o755);
  };
  for (let i = 0; i < files.length; i += PARALLEL_WRITES) {
    await Promise.all(files.slice(i, i + PARALLEL_WRITES).map(writeOne));
  }
  return { files: files.length, manifest };
}

/**
 * Objects from the pack files, falling back to isomorphic-git for loose objects; none larger than
 * `maxBytes` is inflated (`path` names the file or tree for the error).
 */
async function objectReader(
  gitdir: string,
  maxBytes: number,
): Promise<(oid: string, expected: GitObject['type'], path: string) => Promise<GitObject>> {
  const packs = await PackStore.open(gitdir, maxBytes);
  return async (oid, expected, path) => {
    let packed: GitObject | undefined;
    try {
      packed = packs.read(oid);
    } catch (err) {
      if (err instanceof ObjectTooLargeError) throw fileTooLarge(path, maxBytes);
      throw err;
    }
    const object: GitObject =
      packed ??
      (await git.readObject({ fs, gitdir, oid, format: 'content' }).then((o) => ({
        type: o.type as GitObject['type'],
        data: Buffer.from(o.object as Uint8Array),
      })));
    if (object.data.length > maxBytes) throw fileTooLarge(path, maxBytes, object.data.length);
    if (object.type !== expected)
      throw new Error(`object ${oid} is a ${object.type}, expected a ${expected}`);
    return object;
  };
}

function manifestPath(snapshotDir: string): string {
  return `${snapshotDir}.manifest.json`;
}

async function readManifest(snapshotDir: string | undefined): Promise<Manifest> {
  if (!snapshotDir) return {};
  try {
    return JSON.parse(await readFile(manifestPath(snapshotDir), 'utf8')) as Manifest;
  } catch {
    return {};
  }
}

export async function writeManifest(snapshotDir: string, manifest: Manifest): Promise<void> {
  await writeFile(`${manifestPath(snapshotDir)}.tmp`, JSON.stringify(manifest));
  await rename(`${manifestPath(snapshotDir)}.tmp`, manifestPath(snapshotDir));
}
