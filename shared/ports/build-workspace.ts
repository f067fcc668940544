// Port: a scratch tree where the render may write its generated kustomization file without touching
// the shared, read-only source snapshot.

export interface BuildWorkspace {
  /** Directory equivalent to the Kustomization's path inside the snapshot. */
  readonly buildDir: string;
  /** Scratch root, to be mapped back to repository paths in error messages. */
  readonly root: string;
  writeFile(name: string, content: string): Promise<void>;
  /**
   * Replaces the snapshot file at `relPath` (from the repository root) in this workspace only, e.g. with
   * its SOPS plaintext; the snapshot itself is never written.
   */
  replaceSourceFile(relPath: string, content: string | Uint8Array): Promise<void>;
  dispose(): Promise<void>;
}

export interface BuildWorkspaces {
  /** `relPath` is the normalised path of the build directory relative to `snapshotRoot`. */
  open(snapshotRoot: string, relPath: string): Promise<BuildWorkspace>;
}
