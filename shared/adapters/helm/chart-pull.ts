// Downloads one chart archive: from an index-based repository (version picked from its index, archive
// checked against the index digest by the client) or from an OCI registry (`<url>/<name>:<version>`).

import { isExactVersion, selectVersion, versionTags } from '../../core/chart/select-version.ts';
import { SluiceError } from '../../core/errors.ts';
import { parseChartIndex, selectChartVersion } from '../../core/helm/chart-index.ts';
import type { ChartVersionEntry, HelmRepositoryClient } from '../../ports/helm-repository.ts';
import type { OciRegistryClient } from '../../ports/oci-registry.ts';
import type { RemoteAccess } from '../../ports/remote-access.ts';

export const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
/** What Helm 3.0–3.7 pushed; Helm still pulls it. */
const LEGACY_HELM_CHART_LAYER = 'application/tar+gzip';
/** A chart archive is a compressed text tree: far below this. */
export const MAX_CHART_ARCHIVE_BYTES = 64 * 1024 * 1024;

/** A chart version picked but not downloaded yet: what identifies its bytes decides whether to download. */
export interface LocatedChart {
  version: string;
  /** The index digest or manifest digest of the archive; undefined when the index has none. */
  identity: string | undefined;
  download(): Promise<Buffer>;
}

/** From an index already in hand (a HelmRepository's stored index, or one fetched for a dependency). */
export function locateInIndex(
  client: HelmRepositoryClient,
  url: string,
  indexBytes: Buffer,
  name: string,
  range: string,
  access: RemoteAccess,
): LocatedChart {
  const entry: ChartVersionEntry = selectChartVersion(parseChartIndex(indexBytes, url), name, range, url);
  return {
    version: entry.version,
    identity:
      entry.digest === undefined ? undefined : `${entry.name}@${entry.version}@sha256:${entry.digest}`,
    download: () => client.downloadChart(url, entry, access),
  };
}

/** Fetches the repository's index first (a dependency's repository, which the fleet has not stored). */
export async function locateInRepository(
  client: HelmRepositoryClient,
  url: string,
  name: string,
  range: string,
  access: RemoteAccess,
): Promise<LocatedChart> {
  const index = await client.fetchIndex(url, access);
  if (index.notModified) throw new Error('fetchIndex answered notModified without an ETag');
  return locateInIndex(client, url, index.bytes, name, range, access);
}

/** `<url>/<name>`: an exact version is the tag; a range (or `*`/empty) picks among the listed tags. */
export async function locateInOci(
  oci: OciRegistryClient,
  url: string,
  name: string,
  range: string,
  access: RemoteAccess,
): Promise<LocatedChart> {
  const repo = `${url.replace(/\/+$/, '')}/${name}`;
  const chosen = isExactVersion(range)
    ? { tag: range.trim().replace('+', '_'), version: range.trim() }
    : selectVersion(versionTags(await oci.listTags(repo, access)), range, `chart ${repo}`);
  const { digest, manifest } = await oci.resolve(repo, chosen.tag, access);
  const layers = manifest.layers.filter(
    (l) => l.mediaType === HELM_CHART_LAYER || l.mediaType === LEGACY_HELM_CHART_LAYER,
  );
  const layer = layers[0];
  if (layer === undefined || layers.length > 1) {
    const types = manifest.layers.map((l) => l.mediaType).join(', ') || 'none';
    throw new SluiceError(
      'ArtifactNotFound',
      `${repo}:${chosen.tag} is not a Helm chart: it needs exactly one layer of type ${HELM_CHART_LAYER} (its layers: ${types})`,
    );
  }
  return {
    version: chosen.version,
    identity: `${repo}@${digest}`,
    download: () => oci.fetchBlob(repo, layer, access, MAX_CHART_ARCHIVE_BYTES),
  };
}
