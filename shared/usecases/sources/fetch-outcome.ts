// What one fetch of any source kind produced, in the terms the fetch use-case stores: a file set with its
// revision and identity, an index the server says is unchanged, or (an OCI HelmRepository) no artifact at all.

export type FetchOutcome =
  | {
      kind: 'snapshot';
      /** Flux's revision string for the kind. */
      revision: string;
      /** What the revision points at (commit, manifest digest, index or chart digest): unchanged ⇔ equal. */
      identity: string;
      /** Names the file set: render keys and local directories. */
      snapshotDigest: string;
      dir: string;
      artifactDigest?: string;
      etag?: string;
      chart?: { name: string; version: string };
    }
  /** HelmRepository: 304 to If-None-Match; what was stored is current. */
  | { kind: 'notModified' }
  /** HelmRepository of type oci: Flux keeps no artifact for it; its HelmCharts pull from the registry. */
  | { kind: 'noArtifact'; revision: string };
