// Port: runs the real kustomize on a prepared directory and returns its multi-document YAML output.

export interface KustomizeBuildOptions {
  allowRemoteBases: boolean;
  /** Scratch and snapshot prefixes mapped back to repository paths in error messages. */
  displayPaths: Record<string, string>;
  /** Every path the build may read (the workspace and the snapshot it links into); nothing else is visible. */
  readable?: string[];
  /** Every snapshot file the guard found the build can read (what a remote runner needs to ship). */
  inputs?: string[];
}

export interface KustomizeRunner {
  /** Tool identity that goes into render keys, e.g. "kubectl v1.33.9, kustomize v5.6.0". */
  readonly version: string;
  build(dir: string, opts: KustomizeBuildOptions): Promise<string>;
}
