// A source snapshot as one gzip'd JSON document (paths, modes, contents, symlinks), so a render in another
// process or function can rebuild exactly the file set the fetch produced.
import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { assertSafeSymlink } from '../../core/paths/git-tree-path.ts';
import { normalizeInside } from '../../core/paths/secure-join.ts';

interface BundleFile {
  path: string;
  mode?: number;
  data?: string;
  link?: string;
}

export async function packSnapshot(dir: string): Promise<Buffer> {
  const files: BundleFile[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of (await readdir(join(dir, rel), { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isSymbolicLink()) files.push({ path, link: await readlink(join(dir, path)) });
      else {
        const [data, info] = await Promise.all([readFile(join(dir, path)), stat(join(dir, path))]);
        files.push({ path, data: data.toString('base64'), ...(info.mode & 0o111 && { mode: 0o755 }) });
      }
    }
  };
  await walk('');
  return gzipSync(JSON.stringify({ version: 1, files }));
}

/** Unpacks into `dir` (atomically: a temp dir renamed into place). Paths are re-checked on the way in. */
export async function unpackSnapshot(bundle: Buffer, dir: string): Promise<void> {
  if (
    await lstat(dir).then(
      () => true,
      () => false,
    )
  )
    return;
  const { files } = JSON.parse(gunzipSync(bundle).toString('utf8')) as { files: BundleFile[] };
  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    for (const f of files) {
      if (normalizeInside(f.path) !== f.path)
        throw new Error(`snapshot entry ${JSON.stringify(f.path)} is not a clean relative path`);
      const out = join(tmp, f.path);
      await mkdir(dirname(out), { recursive: true });
      if (f.link !== undefined) {
        assertSafeSymlink(f.path, f.link);
        await symlink(f.link, out);
      } else {
        await writeFile(out, Buffer.from(f.data ?? '', 'base64'));
        if (f.mode) await chmod(out, f.mode);
      }
    }
    await mkdir(tmp, { recursive: true });
    await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
