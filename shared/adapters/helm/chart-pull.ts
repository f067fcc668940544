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

export interface PulledChart {
  version: string;
  bytes: Buffer;
}

/** From an index already in hand (a HelmRepository's stored index, or one fetched for a dependency). */
export async function pullFromIndex(
  client: HelmRepositoryClient,
  url: string,
  indexBytes: Buffer,
  name: string,
  range: string,
  access: RemoteAccess,
): Promise<PulledChart> {
  const entry: ChartVersionEntry = selectChartVersion(parseChartIndex(indexBytes, url), name, range, url);
  return { version: entry.version, bytes: await client.downloadChart(url, entry, access) };
}

/** Fetches the repository's index first (a dependency's repository, which the fleet has not stored). */
export async function pullFromRepository(
  client: HelmRepositoryClient,
  url: string,
  name: string,
  range: string,
  access: RemoteAccess,
): Promise<PulledChart> {
  const index = await client.fetchIndex(url, access);
  if (index.notModified) throw new Error('fetchIndex answered notModified without an ETag');
  return pullFromIndex(client, url, index.bytes, name, range, access);
}

/** `<url>/<name>`: an exact version is the tag; a range (or `*`/empty) picks among the listed tags. */
export async function pullFromOci(
  oci: OciRegistryClient,
  url: string,
  name: string,
  range: string,
  access: RemoteAccess,
): Promise<PulledChart> {
  const repo = `${url.replace(/\/+$/, '')}/${name}`;
  const chosen = isExactVersion(range)
    ? { tag: range.trim().replace('+', '_'), version: range.trim(), semver: range.trim() }
    : selectVersion(versionTags(await oci.listTags(repo, access)), range, `chart ${repo}`);
  const { manifest } = await oci.resolve(repo, chosen.tag, access);
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
    bytes: await oci.fetchBlob(repo, layer, access, MAX_CHART_ARCHIVE_BYTES),
  };
}
