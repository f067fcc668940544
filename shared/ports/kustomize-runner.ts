// Port: runs the real kustomize on a prepared directory and returns its multi-document YAML output.

export interface KustomizeRunner {
  /** Tool identity that goes into render keys, e.g. "kubectl v1.33.9, kustomize v5.6.0". */
  readonly version: string;
  build(
    dir: string,
    opts: { allowRemoteBases: boolean; displayPaths: Record<string, string> },
  ): Promise<string>;
}
