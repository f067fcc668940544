// A fetched file set (an OCI artifact, a bucket's objects) made in a temporary directory and renamed into
// place read-only, so a render reads it in place and cannot change it; a half-made set never appears.
import { randomUUID } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export async function pathExists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** Fills a temporary directory with `fill`, then makes it `dir`; another fetch that made `dir` first wins. */
export async function materializeReadOnly(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${dir}.tmp-${randomUUID()}`;
  await mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
    await setModes(tmp, 'read-only');
    await rename(tmp, dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    if (await pathExists(tmp)) {
      await setModes(tmp, 'writable').catch(() => undefined);
      await rm(tmp, { recursive: true, force: true });
    }
  }
}

async function setModes(path: string, mode: 'read-only' | 'writable'): Promise<void> {
  const st = await lstat(path);
  if (st.isSymbolicLink()) return;
  if (!st.isDirectory()) {
    await chmod(path, mode === 'read-only' ? st.mode & 0o555 : st.mode | 0o200);
    return;
  }
  if (mode === 'writable') await chmod(path, 0o755);
  for (const name of await readdir(path)) await setModes(join(path, name), mode);
  if (mode === 'read-only') await chmod(path, 0o555);
}
