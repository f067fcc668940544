// Port: fetch a Git source at a resolved ref and materialise its file set (Flux's artifact) on disk.
import type { GitRepositoryRef } from '../api/git-repository.ts';

export interface GitCredentials {
  username?: string;
  password?: string;
  bearerToken?: string;
}

export interface GitFetchRequest {
  url: string;
  ref?: GitRepositoryRef;
  credentials?: GitCredentials;
  /** GitRepository spec.ignore (gitignore syntax). */
  ignore?: string;
  /** Commit of the last successful fetch; when the ref still points there nothing is downloaded. */
  lastCommit?: string;
}

export interface GitSnapshot {
  url: string;
  /** Flux's revision string: `main@sha1:<hex>`, `v1.2.0@sha1:<hex>`, `sha1:<hex>`. */
  revision: string;
  commit: string;
  /** Absolute path of the materialised, read-only file set. */
  dir: string;
  /** Identity of the file set (commit + ignore rules), for render keys. */
  digest: string;
  /** False when the ref still points at lastCommit. */
  changed: boolean;
  files: number;
  /** Where the time went: talking to the server vs writing the file set. */
  timings: { fetchMs: number; materializeMs: number };
}

export interface GitSource {
  fetch(req: GitFetchRequest): Promise<GitSnapshot>;
}
