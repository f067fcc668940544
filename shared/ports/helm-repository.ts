// Port: an HTTP(S) Helm chart repository (index.yaml + chart archives), as HelmRepository and HelmChart use it.
import type { RemoteAccess } from './remote-access.ts';

export type HelmIndexResult =
  /** The server answered 304 to If-None-Match: the index stored before is current. */
  | { notModified: true }
  /** `digest` is `sha256:<hex>` of `bytes`, Flux's revision of a HelmRepository. */
  | { notModified: false; bytes: Buffer; digest: string; etag?: string };

/** One entry of an index, as HelmChart selection picked it. */
export interface ChartVersionEntry {
  name: string;
  version: string;
  /** `sha256` hex of the archive, when the index has one. */
  digest?: string;
  urls: string[];
}

export interface HelmRepositoryClient {
  /** GET `<url>/index.yaml`; with `etag`, a conditional request. */
  fetchIndex(url: string, access: RemoteAccess, etag?: string): Promise<HelmIndexResult>;
  /**
   * Downloads the archive of `entry` (its first URL, relative ones resolved against the repository URL) and
   * checks it against the entry's digest when the index has one.
   */
  downloadChart(repositoryUrl: string, entry: ChartVersionEntry, access: RemoteAccess): Promise<Buffer>;
}
