// source.toolkit.fluxcd.io/v1 GitRepository: the fields Sluice honours, validated with Flux's CRD rules.
import type { ObjectMeta, SourceLocation } from './object-meta.ts';

export const GIT_REPOSITORY_API = 'source.toolkit.fluxcd.io/v1';

export interface GitRepositoryRef {
  branch?: string;
  tag?: string;
  semver?: string;
  name?: string;
  commit?: string;
}

export interface GitRepository {
  kind: 'GitRepository';
  apiVersion: typeof GIT_REPOSITORY_API;
  metadata: ObjectMeta;
  spec: {
    url: string;
    ref?: GitRepositoryRef;
    intervalMs: number;
    timeoutMs: number;
    /** Secret in the same namespace with `username`+`password` or `bearerToken`. */
    secretRef?: { name: string };
    /** gitignore-style patterns; when set (or a .sourceignore exists) Flux's default exclusions no longer apply. */
    ignore?: string;
    suspend: boolean;
  };
  source: SourceLocation;
}
