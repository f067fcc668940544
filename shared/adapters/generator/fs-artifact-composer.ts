// An ArtifactGenerator artifact on the local disk: input snapshots listed without following links, the
// planned files read (merged where planned), hashed, and written once as `<snapshotsDir>/<digest hex>`, read-only.
import { createHash } from 'node:crypto';
import { copyFile, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SluiceError } from '../../core/errors.ts';
import { artifactDigest } from '../../core/generator/artifact-revision.ts';
import { mergeYaml } from '../../core/generator/merge-yaml.ts';
import type { ArtifactPlan, PlannedFile, SourceFile } from '../../core/generator/plan-artifact.ts';
import { SourceTree, type TreeEntry } from '../../core/generator/source-tree.ts';
import {
  DEFAULT_SNAPSHOT_LIMITS,
  fileTooLarge,
  type SnapshotLimits,
} from '../../core/git/snapshot-limits.ts';
import type { ArtifactComposer, ComposedArtifact } from '../../ports/artifact-composer.ts';
import { materializeReadOnly, pathExists } from '../local/read-only-file-set.ts';

export interface FsArtifactComposerOptions {
  snapshotsDir: string;
  limits?: Pick<SnapshotLimits, 'maxFiles' | 'maxFileBytes'>;
}

export class FsArtifactComposer implements ArtifactComposer {
  private readonly snapshotsDir: string;
  private readonly limits: Pick<SnapshotLimits, 'maxFiles' | 'maxFileBytes'>;

  constructor(opts: FsArtifactComposerOptions) {
    this.snapshotsDir = opts.snapshotsDir;
    this.limits = opts.limits ?? DEFAULT_SNAPSHOT_LIMITS;
  }

  async list(dir: string): Promise<SourceTree> {
    const entries = new Map<string, TreeEntry>();
    const walk = async (rel: string): Promise<void> => {
      for (const name of await readdir(rel === '.' ? dir : join(dir, rel))) {
        const path = rel === '.' ? name : `${rel}/${name}`;
        const st = await lstat(join(dir, path));
        // A link is never followed: it could point out of the snapshot, or at another tenant's files.
        if (st.isSymbolicLink()) continue;
        if (entries.size >= this.limits.maxFiles)
          throw new SluiceError(
            'LimitExceeded',
            `an input snapshot holds more than ${this.limits.maxFiles} files and directories`,
          );
        if (st.isDirectory()) {
          entries.set(path, { type: 'dir' });
          await walk(path);
        } else if (st.isFile()) entries.set(path, { type: 'file', size: st.size });
      }
    };
    await walk('.');
    return new SourceTree(entries);
  }

  async write(plan: ArtifactPlan, inputs: ReadonlyMap<string, string>): Promise<ComposedArtifact> {
    // Merged files are made in memory (they are small YAML); copies are hashed now and copied below.
    const merged = new Map<string, Buffer>();
    const hashes = new Map<string, string>();
    for (const [path, planned] of plan.files) {
      if ('merge' in planned) {
        const bytes = Buffer.from(await this.resolve(planned, inputs));
        if (bytes.length > this.limits.maxFileBytes)
          throw fileTooLarge(path, this.limits.maxFileBytes, bytes.length);
        merged.set(path, bytes);
        hashes.set(path, sha256(bytes));
      } else hashes.set(path, sha256(await this.read(planned.copy, inputs)));
    }
    const digest = artifactDigest(hashes, plan.dirs);
    const dir = join(this.snapshotsDir, digest.replace(/^sha256:/, ''));
    if (await pathExists(dir)) return { digest, dir };
    await materializeReadOnly(dir, async (tmp) => {
      for (const d of [...plan.dirs].sort()) await mkdir(join(tmp, d), { recursive: true });
      for (const [path, planned] of plan.files) {
        const target = join(tmp, path);
        await mkdir(dirname(target), { recursive: true });
        const bytes = merged.get(path);
        if (bytes) await writeFile(target, bytes);
        else if ('copy' in planned) await copyFile(this.location(planned.copy, inputs), target);
      }
    });
    return { digest, dir };
  }

  private async resolve(planned: PlannedFile, inputs: ReadonlyMap<string, string>): Promise<string> {
    if ('copy' in planned) return (await this.read(planned.copy, inputs)).toString('utf8');
    const { base, overlay } = planned.merge;
    const name = (f: SourceFile) => `${f.alias}:${f.path}`;
    const baseName = 'copy' in base ? name(base.copy) : `the merge onto ${name(overlay)}`;
    return mergeYaml(
      { text: await this.resolve(base, inputs), name: baseName },
      { text: (await this.read(overlay, inputs)).toString('utf8'), name: name(overlay) },
    );
  }

  private async read(file: SourceFile, inputs: ReadonlyMap<string, string>): Promise<Buffer> {
    const path = this.location(file, inputs);
    // Listed without links, and snapshots are read-only: still, only a regular file is read.
    const st = await lstat(path);
    if (!st.isFile())
      throw new SluiceError(
        'ValidationFailed',
        `${file.alias}:${file.path} is no longer a regular file in its snapshot`,
      );
    if (st.size > this.limits.maxFileBytes)
      throw fileTooLarge(`${file.alias}:${file.path}`, this.limits.maxFileBytes, st.size);
    return readFile(path);
  }

  private location(file: SourceFile, inputs: ReadonlyMap<string, string>): string {
    const root = inputs.get(file.alias);
    if (root === undefined)
      throw new SluiceError('InternalError', `no snapshot for source alias ${file.alias}`);
    return join(root, file.path);
  }
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
