// Remembers which inputs gave which built chart (`<workDir>/builds/<key>.json`), so an unchanged
// HelmChart costs no download and no rebuild: the key covers everything that shapes the artifact.
import { createHash, randomUUID } from 'node:crypto';
import { lstat, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '../../core/canonical-json.ts';

/** Bumped whenever the builder's output for the same inputs changes. */
const BUILD_FORMAT = 1;

export interface BuiltChart {
  name: string;
  version: string;
  digest: string;
}

export function buildKey(inputs: Record<string, unknown>): string {
  return createHash('sha256')
    .update(canonicalJson({ format: BUILD_FORMAT, ...inputs }))
    .digest('hex');
}

export class BuiltCharts {
  private readonly workDir: string;

  constructor(workDir: string) {
    this.workDir = workDir;
  }

  /** The chart built from `key`, if its record and its directory are both still there. */
  async lookup(key: string): Promise<(BuiltChart & { dir: string }) | undefined> {
    let record: BuiltChart;
    try {
      record = JSON.parse(await readFile(this.recordPath(key), 'utf8')) as BuiltChart;
    } catch {
      return undefined;
    }
    if (typeof record.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(record.digest)) return undefined;
    const dir = join(this.workDir, record.digest.slice('sha256:'.length));
    const present = await lstat(join(dir, record.name)).then(
      () => true,
      () => false,
    );
    return present ? { ...record, dir } : undefined;
  }

  async remember(key: string, built: BuiltChart): Promise<void> {
    await mkdir(join(this.workDir, 'builds'), { recursive: true });
    const tmp = `${this.recordPath(key)}.${randomUUID()}.tmp`;
    await writeFile(tmp, JSON.stringify(built));
    await rename(tmp, this.recordPath(key));
  }

  private recordPath(key: string): string {
    return join(this.workDir, 'builds', `${key}.json`);
  }
}
