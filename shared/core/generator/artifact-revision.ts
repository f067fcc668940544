// The content digest of a generated artifact and the revision its ExternalArtifact carries: source-watcher's
// `latest@sha256:<hex>` (of its tarball; here of the sorted paths and file digests, so the same files give the same revision).
import { createHash } from 'node:crypto';
import { byteOrder } from './source-tree.ts';

/** `files`: artifact path → sha256 hex of its bytes; `dirs`: every directory (empty ones count too). */
export function artifactDigest(files: ReadonlyMap<string, string>, dirs: ReadonlySet<string>): string {
  const h = createHash('sha256');
  for (const dir of [...dirs].sort(byteOrder)) h.update(`d ${dir}\0`);
  for (const path of [...files.keys()].sort(byteOrder)) h.update(`f ${path}\0${files.get(path)}\0`);
  return `sha256:${h.digest('hex')}`;
}

/** spec.artifacts[].revision `@alias` takes that source's revision; otherwise `latest@<digest>`. */
export function artifactRevision(digest: string, fromSource?: string): string {
  return fromSource ?? `latest@${digest}`;
}
