// Port: the file side of an ArtifactGenerator artifact: lists its input snapshots and writes a planned
// artifact as a read-only file set named by its content digest. What goes where is planned in core/generator.
import type { ArtifactPlan } from '../core/generator/plan-artifact.ts';
import type { SourceTree } from '../core/generator/source-tree.ts';

export interface ComposedArtifact {
  /** `sha256:<hex>` of the artifact's paths and file digests (core/generator/artifact-revision.ts). */
  digest: string;
  dir: string;
}

export interface ArtifactComposer {
  /** Files and directories of a snapshot; symlinks are left out, more entries than the bound are refused. */
  list(dir: string): Promise<SourceTree>;
  /** `inputs`: alias → snapshot directory. Merged files are named `<alias>:<path>` in errors. */
  write(plan: ArtifactPlan, inputs: ReadonlyMap<string, string>): Promise<ComposedArtifact>;
}
