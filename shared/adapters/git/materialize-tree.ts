// Writes a commit's tree to disk as Flux's artifact would hold it: Flux's ignore rules applied, every path
// checked (no `..`, no `.git`), symlinks kept only when they stay inside the repository, submodules skipped.
import * as fs from 'node:fs';
import { chmod, link, mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import git from 'isomorphic-git';
import { SourceIgnore } from '../../core/git/source-ignore.ts';
import { assertSafeSymlink, assertSafeTreeEntry } from '../../core/paths/git-tree-path.ts';

interface Entry {
  path: string;
  mode: string;
  oid: string;
  type: 'blob' | 'tree' | 'commit';
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

export async function materializeTree(req: MaterializeRequest): Promise<{ files: number; manifest: Manifest }> {
  const cache = {};
  const { gitdir } = req;
  const { commit } = await git.readCommit({ fs, gitdir, oid: req.commit, cache });
  const entries: Entry[] = [];
  const walk = async (treeOid: string, prefix: string): Promise<void> => {
    const { tree } = await git.readTree({ fs, gitdir, oid: treeOid, cache });
    for (const e of tree) {
      assertSafeTreeEntry(prefix, e.path);
      const path = prefix ? `${prefix}/${e.path}` : e.path;
      entries.push({ path, mode: e.mode, oid: e.oid, type: e.type });
      if (e.type === 'tree') await walk(e.oid, path);
    }
  };
  await walk(commit.tree, '');

  const sourceIgnoreFiles = new Map<string, string>();
  for (const e of entries) {
    if (e.type === 'blob' && posix.basename(e.path) === '.sourceignore') {
      sourceIgnoreFiles.set(posix.dirname(e.path) === '.' ? '' : posix.dirname(e.path), await readText(gitdir, e.oid, cache));
    }
  }
  const matcher = new SourceIgnore(req.ignore, sourceIgnoreFiles);

  await mkdir(req.target, { recursive: true });
  const previous = await readManifest(req.previous);
  const manifest: Manifest = {};
  const skippedDirs: string[] = [];
  let files = 0;
  for (const e of entries) {
    if (skippedDirs.some((d) => e.path.startsWith(`${d}/`))) continue;
    if (e.type === 'commit') continue; // submodule: Flux does not recurse unless asked
    if (matcher.ignores(e.type === 'tree' ? `${e.path}/` : e.path)) {
      if (e.type === 'tree') skippedDirs.push(e.path);
      continue;
    }
    const out = join(req.target, e.path);
    if (e.type === 'tree') {
      await mkdir(out, { recursive: true });
      continue;
    }
    files++;
    const identity = `${e.mode} ${e.oid}`;
    if (e.mode !== '120000') manifest[e.path] = identity;
    if (req.previous && previous[e.path] === identity) {
      const reused = await link(join(req.previous, e.path), out).then(
        () => true,
        () => false,
      );
      if (reused) continue;
    }
    const { blob } = await git.readBlob({ fs, gitdir, oid: e.oid, cache });
    if (e.mode === '120000') {
      const target = Buffer.from(blob).toString('utf8');
      assertSafeSymlink(e.path, target);
      await symlink(target, out);
    } else {
      await writeFile(out, blob);
      if (e.mode === '100755') await chmod(out, 0o755);
    }
  }
  return { files, manifest };
}

async function readText(gitdir: string, oid: string, cache: object): Promise<string> {
  const { blob } = await git.readBlob({ fs, gitdir, oid, cache });
  return Buffer.from(blob).toString('utf8');
}
