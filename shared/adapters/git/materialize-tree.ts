// Writes a commit's tree to disk as Flux's artifact would hold it: Flux's ignore rules applied, every path
// checked (no `..`, no `.git`), symlinks kept only when they stay inside the repository, submodules skipped.
// Files unchanged since the previous snapshot of the same source are hard-linked rather than rewritten.
import * as fs from 'node:fs';
import { linkSync, mkdirSync } from 'node:fs';
import { chmod, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import git from 'isomorphic-git';
import { SourceIgnore } from '../../core/git/source-ignore.ts';
import { assertSafeSymlink, assertSafeTreeEntry } from '../../core/paths/git-tree-path.ts';
import { commitTree, type GitObject, PackStore, parseTree } from './pack-store.ts';

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
}

/** Per snapshot: path → `<mode> <oid>` of every regular file, so the next commit can reuse unchanged ones. */
export type Manifest = Record<string, string>;

const PARALLEL_WRITES = 32;
const TREE_MODE = '040000';
const SUBMODULE_MODE = '160000';
const SYMLINK_MODE = '120000';

export async function materializeTree(
  req: MaterializeRequest,
): Promise<{ files: number; manifest: Manifest }> {
  const read = await objectReader(req.gitdir);
  const entries: Entry[] = [];
  const walk = async (treeOid: string, prefix: string): Promise<void> => {
    for (const e of parseTree((await read(treeOid, 'tree')).data)) {
      assertSafeTreeEntry(prefix, e.path);
      const path = prefix ? `${prefix}/${e.path}` : e.path;
      entries.push({ path, mode: e.mode, oid: e.oid });
      if (e.mode === TREE_MODE) await walk(e.oid, path);
    }
  };
  await walk(commitTree((await read(req.commit, 'commit')).data), '');

  const sourceIgnoreFiles = new Map<string, string>();
  for (const e of entries) {
    if (e.mode !== TREE_MODE && posix.basename(e.path) === '.sourceignore') {
      const dir = posix.dirname(e.path);
      sourceIgnoreFiles.set(dir === '.' ? '' : dir, (await read(e.oid, 'blob')).data.toString('utf8'));
    }
  }
  const matcher = new SourceIgnore(req.ignore, sourceIgnoreFiles);

  // Each file is judged on its own path (go-git semantics: a negation can re-include a file under an
  // excluded directory); directories exist only to hold the files that stay.
  const files = entries.filter(
    (e) => e.mode !== TREE_MODE && e.mode !== SUBMODULE_MODE && !matcher.ignores(e.path),
  );
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
    const identity = `${e.mode} ${e.oid}`;
    if (e.mode !== SYMLINK_MODE) manifest[e.path] = identity;
    if (req.previous && previous[e.path] === identity) {
      try {
        linkSync(join(req.previous, e.path), out);
        return;
      } catch {
        // previous snapshot pruned meanwhile: write the blob instead
      }
    }
    const { data } = await read(e.oid, 'blob');
    if (e.mode === SYMLINK_MODE) {
      const target = data.toString('utf8');
      assertSafeSymlink(e.path, target);
      await symlink(target, out);
      return;
    }
    await writeFile(out, data);
    if (e.mode === '100755') await chmod(out, 0o755);
  };
  for (let i = 0; i < files.length; i += PARALLEL_WRITES) {
    await Promise.all(files.slice(i, i + PARALLEL_WRITES).map(writeOne));
  }
  return { files: files.length, manifest };
}

/** Objects from the pack files, falling back to isomorphic-git for loose objects. */
async function objectReader(
  gitdir: string,
): Promise<(oid: string, expected: GitObject['type']) => Promise<GitObject>> {
  const packs = await PackStore.open(gitdir);
  return async (oid, expected) => {
    const packed = packs.read(oid);
    const object: GitObject =
      packed ??
      (await git.readObject({ fs, gitdir, oid, format: 'content' }).then((o) => ({
        type: o.type as GitObject['type'],
        data: Buffer.from(o.object as Uint8Array),
      })));
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
