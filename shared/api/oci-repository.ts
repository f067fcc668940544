// source.toolkit.fluxcd.io/v1 OCIRepository: the fields Sluice honours, as Flux defines them.

import type { SourceProvider } from './helm-repository.ts';
import type { ObjectMeta, SourceLocation } from './object-meta.ts';

export const OCI_REPOSITORY_API = 'source.toolkit.fluxcd.io/v1';

export interface OciRepositoryRef {
  tag?: string;
  semver?: string;
  semverFilter?: string;
  digest?: string;
}

export interface OCIRepository {
  kind: 'OCIRepository';
  apiVersion: typeof OCI_REPOSITORY_API;
  metadata: ObjectMeta;
  spec: {
    /** `oci://host/repository`, no tag. */
    url: string;
    ref?: OciRepositoryRef;
    layerSelector?: { mediaType?: string; operation?: 'extract' | 'copy' };
    secretRef?: { name: string };
    certSecretRef?: { name: string };
    provider: SourceProvider;
    ignore?: string;
    insecure: boolean;
    intervalMs: number;
    timeoutMs: number;
    suspend: boolean;
  };
  source: SourceLocation;
}
