// A HelmRepository's fetched index as a snapshot directory (`<dir>/<digest hex>/index.yaml`, read-only), so
// it is stored, verified and unpacked like every other source's file set, and HelmCharts build from it.
import { chmod, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function indexSnapshotWriter(
  snapshotsDir: string,
): (bytes: Buffer, digest: string) => Promise<string> {
  return async (bytes, digest) => {
    const dir = join(snapshotsDir, digest.replace(/^sha256:/, ''));
    if (
      await stat(join(dir, 'index.yaml')).then(
        () => true,
        () => false,
      )
    )
      return dir;
    // Written aside and renamed into place: a reader never sees half an index.
    const partial = `${dir}.partial-${process.pid}-${Date.now()}`;
    await mkdir(partial, { recursive: true });
    await writeFile(join(partial, 'index.yaml'), bytes, { mode: 0o444 });
    await chmod(partial, 0o555);
    await rename(partial, dir).catch(async (err: NodeJS.ErrnoException) => {
      // Another fetch wrote the same digest first: theirs is the same bytes.
      await chmod(partial, 0o755);
      await rm(partial, { recursive: true, force: true });
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
    return dir;
  };
}
